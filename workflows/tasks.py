"""Background work of the flows: hearings whose deadline has passed."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("puljeflow.workflows")


def end_expired_hearings_now() -> int:
    """End every open hearing whose deadline has passed, as the system user; the case
    returns to where it was. Safe to run twice: an ended hearing is not open, and a
    case that moved meanwhile is refused by the engine and left for the next run."""
    from django.utils import timezone

    from cases.errors import TransitionError
    from cases.models import ApplicationStatus, Hearing
    from cases.trail.history import system_user
    from workflows import engine

    actor = system_user()
    ended = 0
    hearings = (
        Hearing.objects.filter(
            outcome="",
            deadline__lt=timezone.localdate(),
            application__status=ApplicationStatus.IN_HEARING,
        )
        .select_related("application")
        .order_by("deadline", "id")
    )
    for hearing in hearings:
        try:
            engine.perform(hearing.application, "end_hearing", user=actor)
        except TransitionError as error:
            logger.warning("hearing %s not ended: %s", hearing.pk, error.message)
        else:
            ended += 1
    return ended


@shared_task(ignore_result=True)
def end_expired_hearings() -> int:
    return end_expired_hearings_now()
