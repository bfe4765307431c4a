"""The council: assessments, conflicts of interest, the chair's overview."""

from django.urls import path

from web.council import views as views_council
from web.council import views_ties

app_name = "council"

urlpatterns = [
    path("meetings/<int:pk>/assess/", views_council.meeting_assess, name="meeting_assess"),
    path(
        "meetings/<int:pk>/assess/<int:application_pk>/",
        views_council.meeting_assess_item,
        name="meeting_assess_item",
    ),
    path(
        "meetings/<int:pk>/assessments/",
        views_council.meeting_assessments,
        name="meeting_assessments",
    ),
    path(
        "applications/<int:pk>/conflicts/declare/",
        views_council.conflict_declare,
        name="conflict_declare",
    ),
    path("conflicts/<int:pk>/rule/", views_council.conflict_rule, name="conflict_rule"),
    path("conflicts/", views_ties.manager_conflicts, name="manager_conflicts"),
]
