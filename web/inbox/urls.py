"""The case officer's rounds, each round's inbox, and paper applications."""

from django.urls import path

from web.inbox import views

app_name = "inbox"

urlpatterns = [
    path("rounds/", views.staff_rounds, name="staff_rounds"),
    path("rounds/<int:pk>/", views.round_inbox, name="round_inbox"),
    path("rounds/<int:pk>/paper/", views.paper_application_new, name="paper_application_new"),
]
