"""The messages sent about a case, as events of its timeline (registered in apps.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.models import Application
from cases.trail.timeline import Event
from notifications.models import Notification


def notification_events(application: Application) -> list[Event]:
    return [
        Event(
            at=note.created_at,
            kind="notification",
            title=note.subject,
            detail=_("To %(to)s by %(channel)s")
            % {"to": note.recipient_email or "–", "channel": note.get_channel_display()},
            status=_("%(status)s after %(n)s attempt(s)")
            % {"status": note.get_status_display(), "n": note.attempts}
            + (f" – {note.last_error}" if note.last_error else ""),
        )
        for note in Notification.objects.filter(application=application).order_by("created_at")
    ]
