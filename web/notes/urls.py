from django.urls import path

from web.notes import views

app_name = "notes"

urlpatterns = [
    path("applications/<int:pk>/notes/", views.note_create, name="note_create"),
    path(
        "applications/<int:pk>/received-documents/",
        views.document_register,
        name="document_register",
    ),
    path(
        "received-documents/<int:pk>/",
        views.received_document_download,
        name="received_document_download",
    ),
]
