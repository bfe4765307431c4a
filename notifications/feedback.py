"""The associations' voice (issue 20) in the outbox: the yearly summary to every association
that applied. (The invitation to the questionnaire is a reminder rule,
``reminders/rules/feedback.py``.)

The summary goes once to each association, to its registered e-mail address, in the
language its letters are written in: it is addressed to the association, not to each of its
representatives, and it is information, not a letter on a case, so it does not go by
Digital Post (which carries letters on a case, ``digital_post/routing.py``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import override

from cases.models import Association, FeedbackSummary
from notifications.models import Kind, Status, UserPreference
from notifications.services import build_notification, enqueue_on_commit


def site_url(path: str) -> str:
    base = getattr(settings, "PULJEFLOW_SITE_URL", "")
    return f"{base}{path}" if base else ""


def send_summary(
    sender: Any, *, summary: FeedbackSummary, associations: list[Association], **_: Any
) -> None:
    """``summary_sent``: one notification per association, in the sending transaction."""
    now = timezone.now()
    figures = summary.figures
    path = reverse("feedback:summary_pdf", args=[summary.pk])
    rows = []
    for association in associations:
        language = association.language or "da"
        with override(language):
            average = (
                formats.number_format(figures["average_ease"], 1)
                if figures.get("average_ease") and not figures.get("suppressed")
                else ""
            )
        row = build_notification(
            kind=Kind.FEEDBACK_SUMMARY,
            user=None,
            email=association.email,
            # Not saved: the association's language as the one preference that matters.
            preference=UserPreference(language=language, muted_kinds=[]),
            application=None,
            context={
                "municipality": summary.municipality,
                "summary": summary,
                "answered": figures.get("answered", 0),
                "average_ease": average,
                "summary_url": site_url(path),
            },
            legal=False,
            now=now,
        )
        if row is not None:
            rows.append(row)
    for row in rows:
        row.save(force_insert=True)
        if row.status == Status.PENDING:
            enqueue_on_commit(row.pk)
