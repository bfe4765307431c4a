"""The screens, one package per area; every path is the same as before the areas split."""

from django.urls import include, path

urlpatterns = [
    path("", include("web.home.urls")),
    path("", include("web.applications.urls")),
    path("", include("web.inbox.urls")),
    path("", include("web.audit.urls")),
    path("", include("web.meetings.urls")),
    path("", include("web.council.urls")),
    path("", include("web.bulk.urls")),
    path("", include("web.after_grant.urls")),
    path("", include("web.reports.urls")),
    path("", include("web.notes.urls")),
    path("", include("web.access.urls")),
    path("", include("web.privacy.urls")),
    path("", include("web.hearings.urls")),
    path("", include("web.rounds.urls")),
    path("", include("web.case_messages.urls")),
    path("", include("web.associations.urls")),
    path("", include("web.handover.urls")),
    path("", include("web.allocation.urls")),  # issue 20: alloc
    path("", include("web.directory.urls")),  # issue 20: the directory of associations
    path("", include("web.feedback.urls")),  # issue 20: voice
]
