"""The versioned JSON API under /api/v1/ (see docs/api.md)."""

from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views, views_applications, views_meetings
from .docs import docs_page, not_found

app_name = "api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token", views.TokenView.as_view(), name="token"),
    path("me", views.MeView.as_view(), name="me"),
    path("rounds", views.RoundList.as_view(), name="rounds"),
    path("rounds/<int:pk>", views.RoundDetail.as_view(), name="round"),
    path("associations", views.AssociationList.as_view(), name="associations"),
    path("applications", views_applications.ApplicationList.as_view(), name="applications"),
    path(
        "applications/<int:pk>",
        views_applications.ApplicationDetail.as_view(),
        name="application",
    ),
    path(
        "applications/<int:pk>/attachments",
        views_applications.AttachmentList.as_view(),
        name="attachments",
    ),
    path(
        "applications/<int:pk>/transitions",
        views_applications.TransitionList.as_view(),
        name="transitions",
    ),
    path(
        "applications/<int:pk>/transitions/<str:name>",
        views_applications.TransitionTake.as_view(),
        name="transition",
    ),
    path("applications/<int:pk>/trail", views_applications.Trail.as_view(), name="trail"),
    path(
        "applications/<int:pk>/conflicts",
        views_meetings.Conflicts.as_view(),
        name="conflicts",
    ),
    path(
        "applications/<int:pk>/assessments",
        views_meetings.Assessments.as_view(),
        name="assessments",
    ),
    path("meetings", views_meetings.MeetingList.as_view(), name="meetings"),
    path("meetings/<int:pk>", views_meetings.MeetingDetail.as_view(), name="meeting"),
    path("meetings/<int:pk>/items", views_meetings.MeetingItems.as_view(), name="meeting_items"),
    path(
        "meetings/<int:pk>/minutes",
        views_meetings.MeetingMinutes.as_view(),
        name="meeting_minutes",
    ),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", docs_page, name="docs"),
    # Anything else under /api/v1/ answers a JSON 404, not the site's HTML page.
    re_path(r"^.*$", not_found, name="not_found"),
]
