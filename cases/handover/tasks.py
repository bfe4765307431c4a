"""Celery tasks of the hand-overs: each takes an id, calls one function, is safe to rerun
(a row is claimed before it is handed over)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="cases.handover.tasks.journal_application", ignore_result=True)
def journal_application(application_id: int) -> int:
    from cases.handover.runner import hand_over_application

    return hand_over_application(application_id)


@shared_task(name="cases.handover.tasks.sweep", ignore_result=True)
def sweep() -> int:
    """Beat's sweep: what is due and not yet handed over (failed, or its task was lost)."""
    from cases.handover.runner import sweep_due

    return sweep_due()
