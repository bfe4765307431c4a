"""Grant rounds (puljer): their purpose, conditions and criteria, focus areas, and the target
groups they count."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.flow_paths import COMMITTEE_STEP, COUNCIL_FLOW, COUNCIL_STEP, steps_of
from cases.models.common import MONEY, history
from cases.models.municipalities import Municipality
from cases.parsing import validate_date_window
from cases.trail.history import AuditedManager


class Scheme(models.TextChoices):
    S18 = "s18", _("§ 18 (voluntary social work)")
    S79 = "s79", _("§ 79 (activities for older people)")


class AttachmentKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Annual accounts")
    BUDGET = "budget", _("Budget")
    BYLAWS = "bylaws", _("Bylaws")
    OTHER = "other", _("Other")


class TargetGroupCode(models.TextChoices):
    """Fixed categories, so that rounds and years can be compared (see the round report)."""

    CHILDREN = "children", _("Children and young people")
    FAMILIES = "families", _("Vulnerable families")
    OLDER = "older", _("Older people")
    DISABILITY = "disability", _("People with disabilities")
    MENTAL_HEALTH = "mental_health", _("People with mental health problems")
    SOCIALLY_VULNERABLE = "socially_vulnerable", _("Socially vulnerable adults")
    LONELY = "lonely", _("Lonely people")
    REFUGEES = "refugees", _("Refugees and immigrants")
    RELATIVES = "relatives", _("Relatives and carers")
    OTHER = "other", _("Other")


class TargetGroup(models.Model):
    """One category of ``TargetGroupCode``; rows are created by a migration."""

    code = models.CharField(max_length=30, choices=TargetGroupCode, unique=True)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.get_code_display())


def default_required_attachments() -> list[str]:
    return [AttachmentKind.ACCOUNTS, AttachmentKind.BUDGET, AttachmentKind.BYLAWS]


class CriteriaScoring(models.TextChoices):
    """How council members assess an application against the round's criteria, if at all."""

    NONE = "none", _("No assessment per criterion")
    SCORE = "score", _("A score from 1 to 5 per criterion")
    VERDICT = "verdict", _("Yes / partly / no per criterion")


class GrantRound(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("name"), max_length=150)
    purpose = models.TextField(
        _("purpose"),
        blank=True,
        max_length=limits.TEXT,
        help_text=_("What the round supports, in the words of the municipality's policy."),
    )
    criteria_scoring = models.CharField(
        _("assessment per criterion"),
        max_length=10,
        choices=CriteriaScoring,
        default=CriteriaScoring.NONE,
    )
    scheme = models.CharField(_("scheme"), max_length=5, choices=Scheme, default=Scheme.S18)
    opens_at = models.DateTimeField(_("opens at"), validators=[validate_date_window])
    deadline = models.DateTimeField(
        _("deadline"),
        help_text=_("Date and time, Europe/Copenhagen. Later applications are refused."),
        validators=[validate_date_window],
    )
    pool_amount = models.DecimalField(_("pool (DKK)"), **MONEY)
    council_meeting_date = models.DateField(
        _("council meeting"), null=True, blank=True, validators=[validate_date_window]
    )
    committee_meeting_date = models.DateField(
        _("committee meeting"), null=True, blank=True, validators=[validate_date_window]
    )
    report_deadline = models.DateField(
        _("usage report deadline"), null=True, blank=True, validators=[validate_date_window]
    )
    # The flow the round's applications follow: a flow registered in workflows/ (the round
    # form offers them). It cannot change once applications have been submitted.
    flow = models.CharField(
        _("flow"),
        max_length=40,
        default=COUNCIL_FLOW,
        help_text=_("How the round's applications are screened and decided."),
    )
    # Derived from the flow on every save (its path has no committee: the case officer
    # decides); kept as a column for the registers, exports and installations before issue 20.
    decided_by_administration = models.BooleanField(
        _("decided by the administration"),
        default=False,
        editable=False,
        help_text=_("Derived from the flow: the case officer decides, no committee."),
    )
    ceiling_per_application = models.DecimalField(
        _("ceiling per application (DKK)"), null=True, blank=True, **MONEY
    )
    required_attachments = models.JSONField(
        _("required attachments"), default=default_required_attachments, blank=True
    )

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("grant round")
        verbose_name_plural = _("grant rounds")
        ordering = ["-deadline"]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.decided_by_administration = COMMITTEE_STEP not in steps_of(self.flow)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "flow" in update_fields:
            kwargs["update_fields"] = {*update_fields, "decided_by_administration"}
        super().save(*args, **kwargs)

    @property
    def council_recommends(self) -> bool:
        """The council recommends before the decision (its path has the council)."""
        return COUNCIL_STEP in steps_of(self.flow)

    def is_open(self, at: Any = None) -> bool:
        at = at or timezone.now()
        return bool(self.opens_at <= at <= self.deadline)


class FocusArea(models.Model):
    round = models.ForeignKey(GrantRound, on_delete=models.CASCADE, related_name="focus_areas")
    name = models.CharField(_("name"), max_length=150)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoundCondition(models.Model):
    """A condition of eligibility (a formal condition): an application that does not meet
    it is rejected at screening (afvisning), not assessed."""

    round = models.ForeignKey(GrantRound, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("condition"), max_length=limits.SHORT_TEXT)
    help_text = models.TextField(_("explanation"), blank=True, max_length=limits.TEXT)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("condition of eligibility")
        verbose_name_plural = _("conditions of eligibility")
        ordering = ["round", "position", "id"]

    def __str__(self) -> str:
        return self.text


class RoundCriterion(models.Model):
    """An assessment criterion: what the council weighs and the letters cite (fvl. § 24)."""

    round = models.ForeignKey(GrantRound, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("criterion"), max_length=limits.SHORT_TEXT)
    help_text = models.TextField(_("explanation"), blank=True, max_length=limits.TEXT)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")
        ordering = ["round", "position", "id"]

    def __str__(self) -> str:
        return self.title
