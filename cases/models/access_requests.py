"""Requests for access to documents (aktindsigt, offentlighedsloven): the register.

One row per request: who asked and when, which cases it covers (one, several, or a
whole round), the deadline (offentlighedslovens § 36, stk. 2: decided as soon as
possible, and within 7 working days of receipt unless the request's size or
complexity makes that impossible — then the requester is told why and when to expect
the decision, an *extension* here), the decision with its reasons and complaint
guidance, and the export handed out with its SHA-256. A request is registered by
``cases/services/access_requests.py``; its status moves only through its flow,
``workflows/access_request.py``. Each step is also chained into the trail of every case
the request covers.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases import limits
from cases.models.applications import Application
from cases.models.municipalities import Municipality
from cases.models.rounds import GrantRound
from cases.trail.history import AuditedManager, audited_history


class AccessStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    EXTENDED = "extended", _("Extended")
    DECIDED = "decided", _("Decided")
    HANDED_OUT = "handed_out", _("Handed out")

    @classmethod
    def open(cls) -> tuple[str, ...]:
        """Not yet decided: the deadline runs."""
        return (cls.RECEIVED, cls.EXTENDED)


class AccessScope(models.TextChoices):
    CASES = "cases", _("One or more cases")
    ROUND = "round", _("A whole grant round")


class RequesterKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    JOURNALIST = "journalist", _("Journalist")
    PARTY = "party", _("Party to the case")
    OTHER = "other", _("Other")


class AccessDecision(models.TextChoices):
    FULL = "full", _("Full access")
    PARTIAL = "partial", _("Partial access")
    REFUSED = "refused", _("Refusal")

    @classmethod
    def needs_reasons(cls) -> tuple[str, ...]:
        return (cls.PARTIAL, cls.REFUSED)


def access_export_path(instance: AccessRequest, filename: str) -> str:
    return f"access/{instance.municipality_id}/{instance.pk}/{filename}"


class AccessRequest(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="access_requests"
    )
    requester_name = models.CharField(_("name of the requester"), max_length=limits.SHORT_TEXT)
    requester_email = models.EmailField(_("requester's e-mail"), blank=True)
    requester_address = models.CharField(
        _("requester's postal address"), max_length=limits.SHORT_TEXT, blank=True
    )
    requester_kind = models.CharField(
        _("the requester is"), max_length=12, choices=RequesterKind, default=RequesterKind.CITIZEN
    )
    received_on = models.DateField(_("received on"))
    scope = models.CharField(_("the request covers"), max_length=8, choices=AccessScope)
    round = models.ForeignKey(
        GrantRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("grant round"),
    )
    applications = models.ManyToManyField(
        Application, blank=True, related_name="access_requests", verbose_name=_("cases")
    )
    text = models.TextField(_("the request"), max_length=limits.TEXT)
    deadline = models.DateField(pgettext_lazy("access request", "deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=AccessStatus, default=AccessStatus.RECEIVED
    )
    extended_until = models.DateField(_("decision expected by"), null=True, blank=True)
    extension_reason = models.TextField(
        _("reason for the extension"), blank=True, max_length=limits.TEXT
    )
    decision = models.CharField(_("decision"), max_length=8, choices=AccessDecision, blank=True)
    decision_reasons = models.TextField(
        _("reasons for the decision"), blank=True, max_length=limits.TEXT
    )
    complaint_guidance = models.TextField(
        _("complaint guidance"), blank=True, max_length=limits.TEXT
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    export = models.FileField(_("export handed out"), upload_to=access_export_path, blank=True)
    export_sha256 = models.CharField(_("SHA-256 of the export"), max_length=64, blank=True)
    handed_out_at = models.DateTimeField(_("handed out at"), null=True, blank=True)
    # What was left out of the export, as chosen: {"grounds": {...}, "items": [...]}.
    redactions = models.JSONField(_("redactions"), default=dict, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = audited_history(m2m_fields=[applications])

    class Meta:
        verbose_name = _("request for access to documents")
        verbose_name_plural = _("requests for access to documents")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.requester_name} ({self.received_on:%Y-%m-%d})"

    @property
    def due_on(self) -> datetime.date:
        """The date that counts now: the extended date, once the requester was told it."""
        return self.extended_until or self.deadline

    @property
    def is_open(self) -> bool:
        return self.status in AccessStatus.open()
