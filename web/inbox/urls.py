"""The case officer's rounds, each round's inbox, the search across rounds, assigning cases,
and paper applications."""

from django.urls import path

from web.inbox import views

app_name = "inbox"

urlpatterns = [
    path("rounds/", views.staff_rounds, name="staff_rounds"),
    path("rounds/<int:pk>/", views.round_inbox, name="round_inbox"),
    path("rounds/<int:pk>/paper/", views.paper_application_new, name="paper_application_new"),
    path("cases/", views.case_search, name="case_search"),
    path("cases/assign/", views.bulk_assign, name="bulk_assign"),
    path("applications/<int:pk>/assign/", views.application_assign, name="application_assign"),
]
