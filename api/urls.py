"""The versioned JSON API under /api/v1/ (see docs/api.md)."""

from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import (
    views,
    views_access,
    views_applications,
    views_cvr,
    views_directory,
    views_feedback,
    views_handover,
    views_meetings,
    views_messages,
    views_notes,
    views_staff,
)
from .docs import docs_page, not_found

app_name = "api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token", views.TokenView.as_view(), name="api_token"),
    path("me", views.MeView.as_view(), name="api_me"),
    path("rounds", views.RoundList.as_view(), name="api_rounds"),
    path("rounds/<int:pk>", views.RoundDetail.as_view(), name="api_round"),
    path("associations", views.AssociationList.as_view(), name="api_associations"),
    path("applications", views_applications.ApplicationList.as_view(), name="api_applications"),
    path(
        "applications/<int:pk>",
        views_applications.ApplicationDetail.as_view(),
        name="api_application",
    ),
    path(
        "applications/<int:pk>/attachments",
        views_applications.AttachmentList.as_view(),
        name="api_attachments",
    ),
    path(
        "applications/<int:pk>/transitions",
        views_applications.TransitionList.as_view(),
        name="api_transitions",
    ),
    path(
        "applications/<int:pk>/transitions/<str:name>",
        views_applications.TransitionTake.as_view(),
        name="api_transition",
    ),
    path("applications/<int:pk>/trail", views_applications.Trail.as_view(), name="api_trail"),
    path(
        "applications/<int:pk>/assign",
        views_staff.ApplicationAssign.as_view(),
        name="api_application_assign",
    ),
    path(
        "applications/<int:pk>/conflicts",
        views_meetings.Conflicts.as_view(),
        name="api_conflicts",
    ),
    path(
        "conflicts/<int:pk>/ruling",
        views_meetings.ConflictRulingView.as_view(),
        name="api_conflict_ruling",
    ),
    path(
        "applications/<int:pk>/assessments",
        views_meetings.Assessments.as_view(),
        name="api_assessments",
    ),
    path("meetings", views_meetings.MeetingList.as_view(), name="api_meetings"),
    path("meetings/<int:pk>", views_meetings.MeetingDetail.as_view(), name="api_meeting"),
    path(
        "meetings/<int:pk>/items", views_meetings.MeetingItems.as_view(), name="api_meeting_items"
    ),
    path(
        "meetings/<int:pk>/minutes",
        views_meetings.MeetingMinutes.as_view(),
        name="api_meeting_minutes",
    ),
    path("applications/<int:pk>/notes", views_notes.FileNotes.as_view(), name="api_notes"),
    path("applications/<int:pk>/messages", views_messages.Thread.as_view(), name="api_messages"),
    path(
        "applications/<int:pk>/received-documents",
        views_notes.ReceivedDocuments.as_view(),
        name="api_received_documents",
    ),
    path(
        "received-documents/<int:pk>/file",
        views_notes.ReceivedDocumentFile.as_view(),
        name="api_received_document_file",
    ),
    path("access-requests", views_access.AccessRequestList.as_view(), name="api_access_requests"),
    path(
        "access-requests/<int:pk>",
        views_access.AccessRequestDetail.as_view(),
        name="api_access_request",
    ),
    path(
        "access-requests/<int:pk>/extend",
        views_access.AccessRequestExtend.as_view(),
        name="api_access_request_extend",
    ),
    path(
        "access-requests/<int:pk>/decide",
        views_access.AccessRequestDecide.as_view(),
        name="api_access_request_decide",
    ),
    path(
        "access-requests/<int:pk>/hand-out",
        views_access.AccessRequestHandOut.as_view(),
        name="api_access_request_hand_out",
    ),
    path(
        "access-requests/<int:pk>/export",
        views_access.AccessRequestExport.as_view(),
        name="api_access_request_export",
    ),
    path("cvr/<str:cvr>", views_cvr.CvrLookup.as_view(), name="api_cvr"),  # issue 18: CVR
    # Issue 18: hand-overs to the finance system and the journal (api/views_handover.py).
    path("payment-runs", views_handover.PaymentRunList.as_view(), name="api_payment_runs"),
    path(
        "payment-runs/<int:pk>", views_handover.PaymentRunDetail.as_view(), name="api_payment_run"
    ),
    path(
        "payment-runs/<int:pk>/file",
        views_handover.PaymentRunFile.as_view(),
        name="api_payment_run_file",
    ),
    path(
        "applications/<int:pk>/journal",
        views_handover.ApplicationJournal.as_view(),
        name="api_application_journal",
    ),
    # Issue 20: an association's own entry in a municipality's directory.
    path(
        "associations/<int:pk>/directory/<slug:slug>",
        views_directory.DirectoryEntryView.as_view(),
        name="api_directory_entry",
    ),
    # Issue 20, voice: the questionnaire (api/views_feedback.py).
    path(
        "applications/<int:pk>/feedback",
        views_feedback.ApplicationFeedback.as_view(),
        name="api_feedback",
    ),
    path(
        "rounds/<int:pk>/feedback",
        views_feedback.RoundFeedback.as_view(),
        name="api_round_feedback",
    ),
    path("schema", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs", docs_page, name="api_docs"),
    # Anything else under /api/v1/ answers a JSON 404, not the site's HTML page.
    re_path(r"^.*$", not_found, name="api_not_found"),
]
