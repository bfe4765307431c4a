"""Creating and editing rounds (puljer) in the screens."""

from django.urls import path

from web.rounds import guidance, views

app_name = "rounds"

urlpatterns = [
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("letters/complaint-guidance/", guidance.complaint_guidance, name="complaint_guidance"),
]
