"""Decided applications and questionnaire answers, made directly (not through the flow): the
results depend on the rows, not on how they came there, and thirty flows would take minutes."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from cases.models import Application, ApplicationStatus, Feedback
from tests.factories import ApplicationFactory, AssociationFactory

EASES = itertools.cycle([1, 2, 3, 4, 5, 4, 4])
SPENT = itertools.cycle(["under_1_hour", "hours_1_3", "half_day", "day_or_more", "hours_1_3"])
UNCLEAR = itertools.cycle([["budget"], ["call", "form"], [], ["attachments", "other"]])


def decided(world: SimpleNamespace, *, association: Any = None, **kwargs: Any) -> Application:
    status = kwargs.pop("status", ApplicationStatus.GRANTED)
    return ApplicationFactory(
        round=world.round,
        association=association or AssociationFactory(),
        status=status,
        complete=False,
        decided_at=None
        if status in ("draft", "submitted", "in_council_review")
        else timezone.now(),
        **kwargs,
    )


def answer(application: Application, **values: Any) -> Feedback:
    feedback = Feedback(
        application=application, language="da", answered_at=timezone.now(), **values
    )
    feedback.save()
    return feedback


def answered(world: SimpleNamespace, n: int, *, comment: str = "Kommentar {i}") -> list[Feedback]:
    """``n`` decided applications of ``n`` new associations, each with an answer."""
    return [
        answer(
            decided(world),
            ease=next(EASES),
            time_spent=next(SPENT),
            unclear=next(UNCLEAR),
            comment=comment.format(i=i),
        )
        for i in range(n)
    ]
