"""Background work of the cases app: printing decision letters, checkpointing the trail,
making rounds' exports."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def print_letter(document_id: int) -> None:
    from cases.documents.letters import letter_print
    from cases.models import Document

    document = Document.objects.filter(pk=document_id).first()
    if document is not None:
        letter_print(document)


@shared_task(ignore_result=True)
def print_missing() -> int:
    from cases.documents.letters import print_missing_letters

    return print_missing_letters()


@shared_task(ignore_result=True)
def write_checkpoint() -> str:
    """Beat's signed checkpoint of every chain head, when the trail has grown since the last."""
    from cases.trail.checkpoints import checkpoint_write

    path = checkpoint_write(only_if_changed=True)
    return str(path or "")


@shared_task(name="cases.tasks.apply_retention", ignore_result=True)
def apply_retention() -> dict[str, object]:
    """Beat's daily retention run (cases/services/retention_schedule.py); the day is claimed
    in the database, so a second beat or a redelivered message does nothing."""
    from cases.services.retention_schedule import run_daily

    run = run_daily()
    return run.counts if run is not None else {}


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_round_export(export_id: int) -> None:
    """A round's complete export (cases/services/round_exports.py); claimed, so a second
    delivery of the message makes nothing."""
    from cases.services.round_exports import build

    build(export_id)


@shared_task(name="cases.tasks.sweep_round_exports", ignore_result=True)
def sweep_round_exports() -> dict[str, int]:
    """Beat's sweep of round exports: lost ones queued again, old files deleted."""
    from cases.services.round_exports import sweep

    return sweep()
