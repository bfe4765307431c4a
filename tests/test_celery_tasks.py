"""The worker knows every task it can be sent: each task beat schedules and each task the
code queues after a commit, as a worker started by `make run` finds them (autodiscovery)."""

from __future__ import annotations

from django.conf import settings

from config.celery import app


def test_the_worker_registers_every_task_beat_schedules_and_the_hand_overs() -> None:
    app.loader.import_default_modules()
    registered = set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered
    assert "cases.handover.tasks.journal_application" in registered
    assert "notifications.tasks.read_digital_post_receipts" in registered
