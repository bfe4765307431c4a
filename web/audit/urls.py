"""The auditor's pages: a case's trail and documents, a round's decisions and exports."""

from django.urls import path

from web.audit import views

app_name = "audit"

urlpatterns = [
    path("applications/<int:pk>/trail/", views.application_trail, name="application_trail"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("trail/public-key", views.trail_public_key, name="trail_public_key"),
    path("rounds/<int:pk>/decisions/", views.round_decisions, name="round_decisions"),
    path("rounds/<int:pk>/export/", views.round_export, name="round_export"),
    path("exports/<int:pk>/file.zip", views.round_export_file, name="round_export_file"),
    path("applications/<int:pk>/export.zip", views.application_export, name="application_export"),
]
