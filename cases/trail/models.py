"""The transition record: one append-only, hash-chained row per transition.

Two versions of the hash, told apart by ``key_id``: the empty id is the plain SHA-256 of
records written before the chain was keyed (they still verify); any other id is an
HMAC-SHA256 with that key (cases/trail/keys.py) over the record *and* ``state``, the
case's fields as the record left them — so a case edited behind the flow's back
no longer matches its last record.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Transition records are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Transition records are append-only.")

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("Transition records are append-only.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        # Inserting is appending; an upsert would overwrite an existing record.
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnlyError("Transition records are append-only.")
        return super().bulk_create(objs, *args, **kwargs)


class TransitionRecord(models.Model):
    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="transition_records"
    )
    seq = models.PositiveIntegerField(help_text="1, 2, 3 … per application")
    flow = models.CharField(max_length=50)
    transition = models.CharField(max_length=50)
    from_state = models.CharField(max_length=30)
    to_state = models.CharField(max_length=30)
    # The user may be deleted later; the name they had at the time stays.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,  # never touch a record: the id stays, the name too
        null=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=300)
    role = models.CharField(max_length=30)
    created_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The HMAC key the hash was made with; "" = unkeyed SHA-256 (records before 0012).
    key_id = models.CharField(max_length=40, blank=True, default="")
    # The case's status, version, amounts and dates after this record (STATE_FIELDS).
    state = models.JSONField(default=dict, blank=True)

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        # The table keeps the name it had when the model lived in the workflows app:
        # moving the model changed no row (migrations cases 0011 / workflows 0004).
        db_table = "workflows_transitionrecord"
        verbose_name = _("transition record")
        verbose_name_plural = _("transition records")
        ordering = ["application_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="unique_record_seq")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.seq} {self.transition}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Transition records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Transition records are append-only.")

    def canonical(self) -> bytes:
        """The exact bytes the hash covers; any change to a covered field changes it."""
        body = {
            "application": self.application_id,
            "seq": self.seq,
            "flow": self.flow,
            "transition": self.transition,
            "from": self.from_state,
            "to": self.to_state,
            "actor": self.actor_id_at_record,
            "actor_name": self.actor_name,
            "role": self.role,
            "at": self.created_at.isoformat(timespec="microseconds"),
            "reason": self.reason,
            "payload": self.payload,
            "prev": self.prev_hash,
        }
        if self.key_id:
            body["key"] = self.key_id
            body["state"] = self.state
        return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    @property
    def actor_id_at_record(self) -> int | None:
        # Stored in the payload so that SET_NULL on user deletion keeps the chain valid.
        value = self.payload.get("_actor_id") if isinstance(self.payload, dict) else None
        return int(value) if value is not None else None

    def compute_hash(self) -> str | None:
        """The hash this record should carry; None if it was keyed with a key not held here."""
        if not self.key_id:
            return hashlib.sha256(self.canonical()).hexdigest()
        from cases.trail.keys import hmac_hex

        return hmac_hex(self.key_id, self.canonical())


class TrailCheck(models.Model):
    """One run of ``manage.py verify_trail``: when, what it covered, and whether it verified.

    Written by the command so that the auditor's home can say when the trail was last
    checked and how it went, without re-running a check that reads every record."""

    checked_at = models.DateTimeField(_("checked at"))
    # "" for the whole trail; otherwise the command's scope ("round 3", "application 42").
    scope = models.CharField(_("scope"), max_length=100, blank=True, default="")
    ok = models.BooleanField(_("the trail verifies"))
    applications = models.PositiveIntegerField(_("applications checked"), default=0)
    records = models.PositiveIntegerField(_("transition records checked"), default=0)
    problems = models.PositiveIntegerField(_("problems found"), default=0)

    class Meta:
        verbose_name = _("trail check")
        verbose_name_plural = _("trail checks")
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["scope", "checked_at"])]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"
