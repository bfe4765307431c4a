"""What a rule is, to the engine: a name, the kind of object it is about, the keys it
has due and the messages for the keys a run has won."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import QuerySet

from cases.models import Application
from notifications.models import Reminder


def int_setting(name: str, default: int) -> int:
    """A whole-number setting (days, hours, a batch size), read at each run."""
    return int(getattr(settings, name, default))


@dataclass(frozen=True, order=True)
class Key:
    """A reminder's key within its rule (the rule names its kind of object)."""

    object_id: int
    due_on: date
    recipient_key: int = 0


@dataclass
class Message:
    """One notification to write: to a user, or to an address without an account."""

    kind: str
    user: Any
    email: str
    context: dict[str, Any] = field(default_factory=dict)
    application: Application | None = None
    # A notice the recipient cannot switch off (a draft about to be deleted).
    legal: bool = False


class Rule:
    """One kind of reminder. ``due`` must be idempotent — what is due *and not yet
    done* at ``now``, less the keys already sent (``sent``) — so that a run after an
    outage sends what the outage held back and a repeated run sends nothing."""

    name: ClassVar[str]
    object_kind: ClassVar[str]

    def due(self, now: datetime) -> list[Key]:
        """The keys due at ``now`` that have no reminder yet."""
        raise NotImplementedError

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        """What to send for the keys this run has won."""
        raise NotImplementedError

    def mark_sent(self, keys: list[Key]) -> None:
        """Called in a batch's transaction with all its keys once claimed (those this run
        won and those sent before): for a rule that remembers what it sent somewhere its
        ``due`` can read more cheaply than the reminders (``reports.ReportOverdue``)."""

    def sent(self, **key: Any) -> QuerySet[Reminder]:
        """This rule's reminders already sent (the rows of its keys), filtered by ``key``."""
        return Reminder.objects.filter(rule=self.name, object_kind=self.object_kind, **key)
