from django.urls import path

from web.hearings import views

app_name = "hearings"

urlpatterns = [
    path("applications/<int:pk>/hearing/answer/", views.hearing_answer, name="hearing_answer"),
    path(
        "hearing-attachments/<int:pk>/",
        views.hearing_attachment_download,
        name="hearing_attachment_download",
    ),
]
