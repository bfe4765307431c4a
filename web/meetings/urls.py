"""Meetings: preparation, agenda and minutes (pages and PDFs)."""

from django.urls import path

from web.meetings import views

app_name = "meetings"

urlpatterns = [
    path("rounds/<int:round_pk>/meetings/", views.meeting_list, name="meeting_list"),
    path("rounds/<int:round_pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path(
        "meetings/<int:pk>/agenda/add-ready/",
        views.meeting_agenda_add_ready,
        name="meeting_agenda_add_ready",
    ),
    path("meetings/<int:pk>/agenda/add/", views.meeting_agenda_add, name="meeting_agenda_add"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/agenda.pdf", views.meeting_agenda_pdf, name="meeting_agenda_pdf"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_minutes_pdf, name="meeting_minutes_pdf"),
]
