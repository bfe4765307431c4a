from django.urls import path

from web.applications import views

app_name = "applications"

urlpatterns = [
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("applications/<int:pk>/act/<slug:name>/", views.application_act, name="application_act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("associations/new/", views.association_new, name="association_new"),
    path("associations/<int:pk>/", views.association_edit, name="association_edit"),
    path("flow/", views.flow_chart, name="flow_chart"),
]
