"""manage.py trail_keys [--new ID]: the chain's HMAC keys, and making the next one.

Rotation: ``manage.py trail_keys --new 2027`` prints a fresh key as ``2027:base64``;
append it to PULJEFLOW_TRAIL_KEYS (keep every old key: their records verify with
them), set PULJEFLOW_TRAIL_KEY_ID=2027, restart. New records use the new key; each
record names the key it was made with. Never prints a key already in use.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cases.trail.keys import keyring, keys_are_derived, new_trail_key


class Command(BaseCommand):
    help = "List the trail's HMAC key ids (the current one marked), or make a new key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--new", metavar="ID", help="print a fresh key with this id")

    def handle(self, *args: Any, **options: Any) -> None:
        keys, current = keyring()
        if options["new"]:
            key_id = options["new"]
            if key_id in keys or ":" in key_id or "," in key_id or not key_id.strip():
                raise CommandError("Give a new id without ':' or ','.")
            self.stdout.write(f"{key_id}:{new_trail_key()}")
            return
        for key_id in keys:
            self.stdout.write(f"{key_id}{'  (current)' if key_id == current else ''}")
        if keys_are_derived():
            self.stderr.write(
                "Note: derived from SECRET_KEY, for development only. Production sets "
                "PULJEFLOW_TRAIL_KEYS and PULJEFLOW_TRAIL_KEY_ID."
            )
