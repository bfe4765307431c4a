"""The application: its status, its budget lines and the attachments received.

No code here assigns ``Application.status``: only ``workflows/`` does."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.common import MONEY, history
from cases.models.municipalities import Association, Municipality
from cases.models.rounds import AttachmentKind, FocusArea, GrantRound, TargetGroup
from cases.models.uploads import StoredUpload
from cases.parsing import validate_date_window
from cases.trail.history import AuditedManager, audited_history


class ApplicationStatus(models.TextChoices):
    """Stable state identifiers of the application flow; labels are translated."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("Information requested")
    IN_COUNCIL_REVIEW = "in_council_review", _("In council review")
    RECOMMENDED = "recommended", _("Recommended")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    INELIGIBLE = "ineligible", _("Ineligible")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PAID = "paid", _("Paid")
    REPORT_SUBMITTED = "report_submitted", _("Usage report submitted")
    CLOSED = "closed", _("Closed")
    # Partshøring (forvaltningsloven § 19): waits for the association; returns where it was.
    IN_HEARING = "in_hearing", _("In hearing")


S = ApplicationStatus

# The states in the order a case meets them, the ways out last: how lists sort by status and
# charts show them (the choices' own order is the order they were added in).
FLOW_ORDER = (
    S.DRAFT,
    S.SUBMITTED,
    S.INFO_REQUESTED,
    S.IN_HEARING,
    S.IN_COUNCIL_REVIEW,
    S.RECOMMENDED,
    S.GRANTED,
    S.PAID,
    S.REPORT_SUBMITTED,
    S.CLOSED,
    S.REFUSED,
    S.INELIGIBLE,
    S.WITHDRAWN,
)


class StatusGroup:
    """The status groups, defined once: every query, rule and report uses these."""

    # Before a decision: the association can still withdraw. A case in hearing is here:
    # a hearing comes before the decision it serves. (A hearing on a usage report, which
    # returns to report_submitted, is the exception: ``standing`` in cases/models/hearings.py
    # gives the state a case in hearing stands in, and the withdrawal asks it.)
    BEFORE_DECISION = (
        S.DRAFT,
        S.SUBMITTED,
        S.INFO_REQUESTED,
        S.IN_COUNCIL_REVIEW,
        S.RECOMMENDED,
        S.IN_HEARING,
    )
    # Submitted and not yet decided (see BEFORE_DECISION on in_hearing).
    OPEN = (S.SUBMITTED, S.INFO_REQUESTED, S.IN_COUNCIL_REVIEW, S.RECOMMENDED, S.IN_HEARING)
    # Granted, whatever has happened since: these count against the round's pool.
    GRANTED = (S.GRANTED, S.PAID, S.REPORT_SUBMITTED, S.CLOSED)
    # Granted and no usage report in hand yet: the association still owes it.
    REPORT_OWED = (S.GRANTED, S.PAID)
    # Nothing more will happen to the case (retention counts from here).
    FINISHED = (S.CLOSED, S.WITHDRAWN, S.REFUSED, S.INELIGIBLE)
    # The municipality, not the association, must act next (the case officer screens,
    # the council recommends, the committee decides, the case officer pays or checks the
    # report); info_requested waits for the association, paid waits for the report.
    WAITING_FOR_MUNICIPALITY = (
        S.SUBMITTED,
        S.IN_COUNCIL_REVIEW,
        S.RECOMMENDED,
        S.GRANTED,
        S.REPORT_SUBMITTED,
    )


class RecommendationOutcome(models.TextChoices):
    GRANT = "grant", _("Support in full")
    PARTIAL = "partial", _("Support in part")
    REFUSE = "refuse", _("Refuse")


class CaseNumberCounter(models.Model):
    """Last case number handed out per municipality and year (row locked when used)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="unique_case_counter")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.year}: {self.last_number}"


class Application(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="applications", editable=False
    )
    round = models.ForeignKey(GrantRound, on_delete=models.PROTECT, related_name="applications")
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="applications"
    )
    case_number = models.CharField(_("case number"), max_length=12, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus,
        default=ApplicationStatus.DRAFT,
        editable=False,
    )

    title = models.CharField(_("title"), max_length=limits.SHORT_TEXT)
    purpose = models.TextField(_("purpose"), blank=True, max_length=limits.TEXT)
    target_group = models.TextField(_("target group"), blank=True, max_length=limits.TEXT)
    activity_description = models.TextField(
        _("activity description"), blank=True, max_length=limits.TEXT
    )
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="applications", verbose_name=_("focus areas")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="applications", verbose_name=_("target groups")
    )
    volunteers = models.PositiveIntegerField(_("number of volunteers"), null=True, blank=True)
    members = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("expected participants"), null=True, blank=True)
    amount_requested = models.DecimalField(
        _("amount requested (DKK)"), null=True, blank=True, **MONEY
    )
    other_funding = models.DecimalField(
        _("other funding sought or received (DKK)"), default=Decimal("0"), **MONEY
    )
    other_funding_note = models.TextField(
        _("other funding, details"), blank=True, max_length=limits.TEXT
    )
    declaration_correct = models.BooleanField(
        _("I declare that the information given is correct"), default=False
    )
    works_with_children = models.BooleanField(
        _("volunteers are in contact with children under 15"), default=False
    )
    child_certificates_obtained = models.BooleanField(
        _("child protection certificates have been obtained"), default=False
    )

    # Paper applications: typed in by a case officer, the deadline counts from receipt.
    received_at = models.DateTimeField(
        _("received (paper application)"), null=True, blank=True, validators=[validate_date_window]
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    # The case officer the case is assigned to (None: nobody yet). Set through
    # cases.services.assignment.application_assign, which records it in the trail.
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        editable=False,
    )

    # Written only by transitions in workflows/application.py.
    # One more with every transition: a page remembers it, so "moved on" is noticed even
    # when the case left a state and came back to it.
    version = models.PositiveIntegerField(default=0, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    screening_note = models.TextField(blank=True, editable=False, max_length=limits.TEXT)
    open_question = models.TextField(blank=True, editable=False, max_length=limits.TEXT)
    recommendation_outcome = models.CharField(
        max_length=10, choices=RecommendationOutcome, blank=True, editable=False
    )
    recommended_amount = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    recommendation_reasons = models.TextField(blank=True, editable=False, max_length=limits.TEXT)
    granted_amount = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    decision_reasons = models.TextField(blank=True, editable=False, max_length=limits.TEXT)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The date of the decision: the meeting's when taken at one, else the day it was recorded.
    # decided_at stays the time it was recorded.
    decision_date = models.DateField(_("decision date"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Issue 19: the due date of the latest overdue-report reminder sent for the case
    # (notifications/reminders/rules/reports.py), so that the weekly rule reads only the
    # cases not yet reminded this week instead of anti-joining every open obligation with
    # the reminders. Notification bookkeeping, not part of the case: no history, and
    # written by the reminder engine with a plain UPDATE. NULL (the column's default,
    # so bulk loads need not name it): never reminded.
    report_overdue_reminded_on = models.DateField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()
    history = audited_history(
        m2m_fields=[focus_areas, target_groups], excluded_fields=["report_overdue_reminded_on"]
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "case_number"], name="unique_case_number_per_municipality"
            )
        ]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["association", "status"]),
            models.Index(fields=["case_officer", "status"]),
            # The API's list (newest first, one municipality): read in order and stopped at
            # the page, instead of joining every round and association in the country.
            models.Index(
                fields=["municipality", "-created_at", "-id"], name="application_newest_idx"
            ),
            # The overdue-report rule: per round, the cases owing a report and not
            # reminded since a date (rules/reports.py).
            models.Index(
                fields=["round", "report_overdue_reminded_on"],
                condition=models.Q(status__in=StatusGroup.REPORT_OWED),
                name="application_report_overdue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}"

    @property
    def is_paper(self) -> bool:
        return self.registered_by_id is not None


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    description = models.CharField(_("description"), max_length=limits.SHORT_TEXT)
    amount = models.DecimalField(_("amount (DKK)"), **MONEY)
    position = models.PositiveSmallIntegerField(default=0)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours; the original name is kept only as data.
    return f"applications/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class Attachment(StoredUpload):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["kind", "uploaded_at"]
