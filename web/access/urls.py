"""The register of requests for access to documents (aktindsigt)."""

from django.urls import path

from web.access import views

app_name = "access"

urlpatterns = [
    path("access-requests/", views.access_request_list, name="access_request_list"),
    path("access-requests/new/", views.access_request_new, name="access_request_new"),
    path("access-requests/<int:pk>/", views.access_request_detail, name="access_request_detail"),
    path(
        "access-requests/<int:pk>/extend/",
        views.access_request_extend,
        name="access_request_extend",
    ),
    path(
        "access-requests/<int:pk>/decide/",
        views.access_request_decide,
        name="access_request_decide",
    ),
    path(
        "access-requests/<int:pk>/hand-out/",
        views.access_request_hand_out,
        name="access_request_hand_out",
    ),
    path(
        "access-requests/<int:pk>/export.zip",
        views.access_request_export,
        name="access_request_export",
    ),
]
