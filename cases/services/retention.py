"""Anonymising contact persons' personal data on finished cases, after N years.

What counts: the contact person's name, e-mail and phone as the association gave
them (on the association and in its history rows), and the e-mail address and text
of the notifications sent on the case. What stays: the case itself, its documents,
and the trail — including the names of the people who acted, which are part of the
decision record the municipality must keep.

The trail still verifies, by design rather than by luck: the transition records'
hashes cover no contact data (they hold the actor's name, the role, the reasons and
the amounts), so nothing hashed is touched. The anonymisation is itself a recorded
event, appended to each case's chain ("anonymise", with what was removed and how
much), in the same transaction as the removal. On PostgreSQL the history tables
refuse UPDATE; this is the one writer allowed through: it takes the retention role
(``SET LOCAL ROLE puljeflow_retention``) for the anonymisation only, which works only
for a database login granted that role — not the application's (cases/trail/append_only.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from cases.models import Application, Association, Feedback, StatusGroup
from cases.trail.append_only import close_for_retention, open_for_retention
from cases.trail.chain import record_transition
from cases.trail.history import system_user
from cases.trail.models import TransitionRecord

REDACTED = "[anonymiseret]"
REDACTED_EMAIL = "anonymiseret@invalid"
# Sent inside the anonymising transaction, with ``application``; receivers return a count.
case_anonymised = Signal()
CONTACT_FIELDS = {"contact_person": REDACTED, "email": REDACTED_EMAIL, "phone": "00000000"}


@dataclass
class RetentionReport:
    cases: list[str] = field(default_factory=list)
    associations: int = 0
    history_rows: int = 0
    notifications: int = 0


def due_cases(cutoff: datetime.datetime) -> Any:
    already = TransitionRecord.objects.filter(
        application=OuterRef("pk"), flow="retention", transition="anonymise"
    )
    return (
        Application.objects.filter(status__in=StatusGroup.FINISHED)
        .annotate(finished_at=Coalesce("closed_at", "decided_at"))
        .filter(finished_at__lt=cutoff)
        .exclude(Exists(already))
        .select_related("association")
        .order_by("pk")
    )


def apply_retention(
    *, years: int, now: datetime.datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    if years < 1:
        raise ValueError("Retention is at least one year.")
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=round(365.25 * years))
    report = RetentionReport()
    actor = system_user()
    for application in due_cases(cutoff):
        report.cases.append(application.case_number)
        if dry_run:
            continue
        with transaction.atomic():
            opened = ""
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    opened = open_for_retention(cursor)
            association = application.association
            active = (
                Application.objects.filter(association=association)
                .exclude(pk=application.pk)
                .filter(
                    ~Q(status__in=StatusGroup.FINISHED)
                    | Q(closed_at__gte=cutoff)
                    | Q(closed_at__isnull=True, decided_at__gte=cutoff)
                )
                .exists()
            )
            # The contact as it stood during the case: the association's history rows before
            # the cutoff — all of them, and the current contact too, if it has had no case since.
            history = Association.history.model.objects.filter(id=association.pk).exclude(
                contact_person=REDACTED
            )
            if active:
                history = history.filter(history_date__lt=cutoff)
            rows = history.update(**CONTACT_FIELDS)
            if not active and association.contact_person != REDACTED:
                for name, value in CONTACT_FIELDS.items():
                    setattr(association, name, value)
                association._history_user = actor
                association.save(update_fields=list(CONTACT_FIELDS))
                report.associations += 1
            comments = _forget_feedback_comment(application, actor)
            # Other apps holding personal data about the case answer this signal
            # (notifications: the messages sent), each returning the rows it changed.
            answers = case_anonymised.send(sender=Application, application=application)
            sent = sum(int(answer or 0) for _receiver, answer in answers)
            if opened:
                # Closed again at once, even when called inside a caller's transaction.
                with connection.cursor() as cursor:
                    close_for_retention(cursor, opened)
            locked = Application.objects.select_for_update().get(pk=application.pk)
            record_transition(
                application=locked,
                flow="retention",
                transition="anonymise",
                from_state=locked.status,
                to_state=locked.status,
                actor=actor,
                role="system",
                reason=f"Personoplysninger anonymiseret efter {years} år.",
                payload={
                    "fields": sorted(CONTACT_FIELDS),
                    "association_history_rows": rows,
                    "association_current": not active,
                    "notifications": sent,
                    "feedback_comments": comments,
                    "cutoff": cutoff.isoformat(),
                },
            )
            report.history_rows += rows
            report.notifications += sent
    return report


def _forget_feedback_comment(application: Application, actor: Any) -> int:
    """The free text of the association's questionnaire answer (``cases.models.feedback``)
    may name people: it goes, in the answer and in its history rows; the figures stay for
    the statistics. Returns 1 if there was a comment, else 0."""
    feedback = Feedback.objects.filter(application=application).exclude(comment="").first()
    if feedback is None:
        return 0
    Feedback.history.model.objects.filter(id=feedback.pk).exclude(comment="").update(comment="")
    feedback.comment = ""
    feedback._history_user = actor
    feedback.save(update_fields=["comment"])
    return 1
