"""Retention: the messages about an anonymised case lose their personal data too."""

from __future__ import annotations

from typing import Any

from cases.models import Application
from cases.services.retention import REDACTED, REDACTED_EMAIL
from notifications.models import Notification


def anonymise_notifications(sender: Any, *, application: Application, **kwargs: Any) -> int:
    """Answers ``cases.services.retention.case_anonymised``; returns the rows changed."""
    return (
        Notification.objects.filter(application=application)
        .exclude(recipient_email=REDACTED_EMAIL)
        .update(recipient_email=REDACTED_EMAIL, subject=REDACTED, body_text=REDACTED, body_html="")
    )


def let_go_of_draft(sender: Any, *, application: Application, **kwargs: Any) -> int:
    """Answers ``retention_schedule.draft_deleting``: the messages about a draft about to be
    deleted (reminders, the notice of its deletion) stay in their recipients' lists, no
    longer tied to it; returns the rows changed."""
    return Notification.objects.filter(application=application).update(application=None)
