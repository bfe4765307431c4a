"""The associations' voice (issue 20) in the outbox: the invitation to the questionnaire after a
decision letter, and the yearly summary to every association that applied.

The invitation answers the decision letter itself (a ``Document`` of a deciding kind being
written), not a transition's name: whichever flow decides (the council and committee's,
the quick pool's, a second scheme's), its letter is the occasion. It is written in the
transition's transaction, after the letter, once per application, and never as a legal
notice (an association may switch it off). It is not part of the transition's record.

The summary goes once to each association, to its registered e-mail address, in the
language its letters are written in: it is addressed to the association, not to each of its
representatives, and it is information, not a letter on a case, so it does not go by
Digital Post (which carries letters on a case, ``digital_post/routing.py``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import override

from cases.models import Association, Document, DocumentKind, Feedback, FeedbackSummary
from notifications.models import Kind, Notification, Status, UserPreference
from notifications.selectors import applicants_of
from notifications.services import build_notification, enqueue_on_commit, notify

# The letters that tell the association what was decided on its application.
DECIDING_LETTERS = frozenset(
    {
        DocumentKind.DECISION_LETTER,
        DocumentKind.GRANT,
        DocumentKind.PARTIAL_GRANT,
        DocumentKind.REFUSAL,
        DocumentKind.REJECTION,
    }
)


def site_url(path: str) -> str:
    base = getattr(settings, "PULJEFLOW_SITE_URL", "")
    return f"{base}{path}" if base else ""


def invite_after_letter(sender: Any, instance: Document, created: bool, **_: Any) -> None:
    """``post_save`` of a Document: a new deciding letter invites the association, once."""
    if not created or instance.kind not in DECIDING_LETTERS:
        return
    if not transaction.get_connection().in_atomic_block:
        return  # a letter written outside a transition (a fixture, a repair) invites no one
    application = instance.application
    if (
        Feedback.objects.filter(application=application).exists()
        or Notification.objects.filter(kind=Kind.FEEDBACK_INVITED, application=application).exists()
    ):
        return
    path = reverse("feedback:feedback_answer", args=[application.pk])
    notify(
        kind=Kind.FEEDBACK_INVITED,
        application=application,
        recipients=list(applicants_of(application)),
        context={"questionnaire_url": site_url(path)},
        legal=False,
        addresses=[application.association.email] if application.is_paper else (),
    )


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
