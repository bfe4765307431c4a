"""The reminder rules, in the order a run evaluates them.

Every rule is an idempotent query for what is *due and not yet done*, never for
"what became due since the last run": Celery beat silently drops its ticks while
the broker is down, and a rule that looked at the last interval only would lose
those reminders for good. A reminder stays due from its due moment until the
thing is done or its occasion has passed (the deadline, the meeting), so the
first run after an outage sends whatever the outage held back.

Per rule one query over the applications (or meeting attendance, or staff roles)
finds what is due, excluding every key that already has a row (``NOT EXISTS``
through the unique index; the weekly overdue-report rule instead reads a marker on
the case, ``reports.ReportOverdue``), plus at most one tiny query over rounds or
municipalities; its ``messages`` read the objects and their recipients in a fixed
handful of queries per batch, never one per application.

A new rule: a ``base.Rule`` subclass in one of these modules (or a new one), added
to ``RULES``. The engine needs no change.
"""

from __future__ import annotations

from notifications.models import Kind

from .access import AccessRequestDue
from .base import Rule
from .deadline import DeadlineApproaching
from .digest import WaitingDigest
from .drafts import DraftExpiring
from .feedback import FeedbackInvitation
from .hearings import HearingReminder
from .meetings import AgendaReady, AssessmentsMissing
from .questions import InfoUnanswered
from .reports import ReportDue, ReportOverdue

RULES: list[Rule] = [
    DeadlineApproaching(),
    InfoUnanswered(),
    AssessmentsMissing(),
    AgendaReady(),
    ReportDue(),
    ReportOverdue(),
    WaitingDigest(),
    AccessRequestDue(),
    DraftExpiring(),
    HearingReminder(),
    FeedbackInvitation(),  # issue 20, voice: the questionnaire after a decision
]

# Kinds whose message is about a meeting or a municipality, not one application.
NOT_ABOUT_ONE_APPLICATION = frozenset(
    {
        Kind.ASSESSMENTS_MISSING,
        Kind.AGENDA_READY,
        Kind.WAITING_DIGEST,
        Kind.ACCESS_DEADLINE,
        Kind.FEEDBACK_SUMMARY,  # the year's summary to an association (cases.models.feedback)
    }
)
