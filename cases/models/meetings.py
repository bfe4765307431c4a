"""Meetings of the volunteer council and the deciding committee, and conflicts of interest.

Imported by ``cases.models`` so Django registers the models with the ``cases`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.parsing import validate_date_window
from cases.trail.history import AuditedManager, audited_history


class Body(models.TextChoices):
    COUNCIL = "council", _("Volunteer council")
    COMMITTEE = "committee", _("Committee")


class Meeting(models.Model):
    round = models.ForeignKey("cases.GrantRound", on_delete=models.PROTECT, related_name="meetings")
    body = models.CharField(_("body"), max_length=10, choices=Body)
    date = models.DateField(_("date"), validators=[validate_date_window])
    members_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("members present"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = audited_history(m2m_fields=[members_present])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.date:%Y-%m-%d}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(default=0)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="unique_agenda_item")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.position}"


class Assessment(models.Model):
    """One council member's individual assessment of one application at one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="assessments")
    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="assessments"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        _("assessment"),
        max_length=10,
        choices=[
            ("grant", _("Support in full")),
            ("partial", _("Support in part")),
            ("refuse", _("Refuse")),
        ],
    )
    amount = models.DecimalField(_("amount (DKK)"), max_digits=12, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True, max_length=limits.TEXT)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "application", "member"], name="unique_assessment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.application_id}: {self.outcome}"


class CriterionVerdict(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class CriterionAssessment(models.Model):
    """A council member's value for one of the round's criteria within their assessment:
    a score from 1 to 5 or a verdict, as the round's ``criteria_scoring`` says."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="criterion_values",
        verbose_name=_("assessment"),
    )
    # PROTECT: a criterion the council has assessed against stays part of the record.
    criterion = models.ForeignKey(
        "cases.RoundCriterion",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("criterion"),
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=CriterionVerdict, blank=True)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("assessment per criterion")
        verbose_name_plural = _("assessments per criterion")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="unique_criterion_assessment"
            ),
            # Exactly one of the two, and a score only from 1 to 5.
            models.CheckConstraint(
                condition=(
                    models.Q(score__isnull=False, score__gte=1, score__lte=5, verdict="")
                    | models.Q(score__isnull=True, verdict__in=CriterionVerdict.values)
                ),
                name="criterion_assessment_score_or_verdict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} / {self.criterion_id}: {self.score or self.verdict}"


class ConflictSource(models.TextChoices):
    BOARD_TIE = "board_tie", _("Board member of the association")
    DECLARED = "declared", _("Declared by the member")


class ConflictRuling(models.TextChoices):
    PENDING = "pending", _("Awaiting the body's ruling")
    CONFLICTED = "conflicted", _("Conflicted")
    NOT_CONFLICTED = "not_conflicted", _("Not conflicted")


class ConflictDeclaration(models.Model):
    """A member's tie to an applying association (forvaltningsloven § 3) and the body's ruling.

    Until the chair records a ruling, a declared tie counts as a conflict: the
    cautious reading, so a case is never decided with a member who should have left.
    """

    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="conflicts"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=12, choices=ConflictSource)
    reason = models.TextField(_("reason"), max_length=limits.TEXT)
    ruling = models.CharField(
        _("ruling"), max_length=15, choices=ConflictRuling, default=ConflictRuling.PENDING
    )
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ruling_reason = models.TextField(
        _("reasons for the ruling"), blank=True, max_length=limits.TEXT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="unique_conflict")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.application_id}: {self.ruling}"

    @property
    def excludes_member(self) -> bool:
        return self.ruling != ConflictRuling.NOT_CONFLICTED
