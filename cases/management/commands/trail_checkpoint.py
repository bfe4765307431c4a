"""manage.py trail_checkpoint: write a signed checkpoint of every case's chain head now.

Beat writes one every PULJEFLOW_CHECKPOINT_SECONDS when the trail has grown; this is
the same, on demand (before handing the checkpoints to the auditor, say).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.trail.checkpoints import checkpoint_write


class Command(BaseCommand):
    help = "Write a signed checkpoint of every case's chain head to PULJEFLOW_CHECKPOINT_DIR."

    def handle(self, *args: Any, **options: Any) -> None:
        path = checkpoint_write()
        self.stdout.write(f"Checkpoint written: {path}")
