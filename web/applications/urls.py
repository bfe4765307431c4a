from django.urls import path

from web.applications import views, views_draft

app_name = "applications"

urlpatterns = [
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views_draft.application_edit, name="application_edit"),
    path("applications/<int:pk>/edit/review/", views_draft.draft_review, name="draft_review"),
    path("applications/<int:pk>/edit/<slug:step>/", views_draft.draft_step, name="draft_step"),
    path(
        "applications/<int:pk>/edit/<slug:step>/autosave/",
        views_draft.draft_autosave,
        name="draft_autosave",
    ),
    path(
        "applications/<int:pk>/receipt/",
        views_draft.application_receipt,
        name="application_receipt",
    ),
    path(
        "applications/<int:pk>/receipt.pdf",
        views_draft.application_receipt_pdf,
        name="application_receipt_pdf",
    ),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("applications/<int:pk>/act/<slug:name>/", views.application_act, name="application_act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("flow/", views.flow_chart, name="flow_chart"),
]
