"""manage.py trail_public_key: the public key the checkpoints are signed with.

Publish it (and hand it to the auditor): anyone holding it can check that a
checkpoint file came from this installation, without being able to make one.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.trail.keys import public_key_b64, signing_key_is_derived


class Command(BaseCommand):
    help = "Print the Ed25519 public key (base64, raw 32 bytes) that signs the checkpoints."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(public_key_b64())
        if signing_key_is_derived():
            self.stderr.write(
                "Note: derived from SECRET_KEY (development). Production sets "
                "PULJEFLOW_CHECKPOINT_SIGNING_KEY."
            )
