"""The § 18 domain: municipalities, associations, rounds and applications.

Every domain model keeps a version row per change (django-simple-history) and
refuses the bulk write paths that history cannot see (see ``audit.py``).
No code here assigns ``Application.status``: only ``workflows/`` does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .audit import AuditedManager, audited_history
from .uploaded import StoredUpload
from .validators import validate_cvr, validate_phone

MONEY: dict[str, Any] = {
    "max_digits": 12,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0"))],
}


def history() -> HistoricalRecords:
    return audited_history()


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    council_name = models.CharField(
        _("name of the volunteer council"), max_length=150, default="Frivillighedsrådet"
    )
    committee_name = models.CharField(
        _("name of the deciding committee"), max_length=150, default="Kultur- og Fritidsudvalget"
    )
    complaint_guidance = models.TextField(_("complaint guidance"), blank=True)
    council_quorum = models.PositiveSmallIntegerField(
        _("council quorum"),
        null=True,
        blank=True,
        help_text=_(
            "How many non-conflicted council members must be present for the council to "
            "recommend on an application. Blank: a majority of its non-conflicted members."
        ),
    )
    require_two_factor = models.BooleanField(
        _("staff must use two-factor login"),
        default=True,
        help_text=_(
            "Case officers, council, committee and auditors sign in with a password and a "
            "code from an authenticator app (TOTP)."
        ),
    )
    state_target_days = models.PositiveSmallIntegerField(
        _("target days in one state"),
        default=14,
        help_text=_(
            "How long an application may wait in one state before it appears in the "
            "case officers' daily digest."
        ),
    )

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Association(models.Model):
    name = models.CharField(_("name"), max_length=200)
    cvr = models.CharField(_("CVR number"), max_length=8, unique=True, validators=[validate_cvr])
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=4)
    city = models.CharField(_("city"), max_length=100)
    contact_person = models.CharField(_("contact person"), max_length=150)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone])
    language = models.CharField(
        _("language of letters"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="da",
        help_text=_("The language the municipality writes its decision letters in."),
    )

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AssociationMember(models.Model):
    """A person's tie to an association: representing it, sitting on its board, or both.

    Board ties are what flag a council member as conflicted (forvaltningsloven § 3).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="association_ties"
    )
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="members")
    can_represent = models.BooleanField(_("represents the association"), default=True)
    is_board_member = models.BooleanField(_("board member"), default=False)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("association member")
        verbose_name_plural = _("association members")
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="unique_association_tie")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.association}"


class Role(models.TextChoices):
    CASE_OFFICER = "case_officer", _("Case officer")
    COUNCIL_MEMBER = "council_member", _("Council member")
    COUNCIL_CHAIR = "council_chair", _("Council chair")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    COMMITTEE_CHAIR = "committee_chair", _("Committee chair")
    AUDITOR = "auditor", _("Auditor")


class StaffRole(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=30, choices=Role)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="unique_staff_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.municipality})"


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


class GrantRound(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("name"), max_length=150)
    scheme = models.CharField(_("scheme"), max_length=5, choices=Scheme, default=Scheme.S18)
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(
        _("deadline"),
        help_text=_("Date and time, Europe/Copenhagen. Later applications are refused."),
    )
    pool_amount = models.DecimalField(_("pool (DKK)"), **MONEY)
    council_meeting_date = models.DateField(_("council meeting"), null=True, blank=True)
    committee_meeting_date = models.DateField(_("committee meeting"), null=True, blank=True)
    report_deadline = models.DateField(_("usage report deadline"), null=True, blank=True)
    decided_by_administration = models.BooleanField(
        _("quick pool: decided by the administration"),
        default=False,
        help_text=_("The case officer decides directly after screening, without meetings."),
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

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    activity_description = models.TextField(_("activity description"), blank=True)
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
    other_funding_note = models.TextField(_("other funding, details"), blank=True)
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
    received_at = models.DateTimeField(_("received (paper application)"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    # Written only by transitions in workflows/application.py.
    # One more with every transition: a page remembers it, so "moved on" is noticed even
    # when the case left a state and came back to it.
    version = models.PositiveIntegerField(default=0, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    screening_note = models.TextField(blank=True, editable=False)
    open_question = models.TextField(blank=True, editable=False)
    recommendation_outcome = models.CharField(
        max_length=10, choices=RecommendationOutcome, blank=True, editable=False
    )
    recommended_amount = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    recommendation_reasons = models.TextField(blank=True, editable=False)
    granted_amount = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    decision_reasons = models.TextField(blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()
    history = audited_history(m2m_fields=[focus_areas, target_groups])

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
    description = models.CharField(_("description"), max_length=200)
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
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["kind", "uploaded_at"]


class Payout(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payouts")
    paid_on = models.DateField(_("payment date"))
    amount = models.DecimalField(_("amount (DKK)"), **MONEY)
    reference = models.CharField(_("payment reference"), max_length=100)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.paid_on}: {self.amount}"


class UsageReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


class UsageReport(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="usage_reports"
    )
    description = models.TextField(_("what was done"))
    participants_reached = models.PositiveIntegerField(_("participants reached"), default=0)
    volunteers_involved = models.PositiveIntegerField(_("volunteers involved"), default=0)
    amount_spent = models.DecimalField(_("amount spent (DKK)"), **MONEY)
    unspent_amount = models.DecimalField(_("unspent balance (DKK)"), default=Decimal("0"), **MONEY)
    overspend_explanation = models.TextField(
        _("explanation of spending beyond the grant"), blank=True
    )
    declaration_on_honour = models.BooleanField(
        _("I declare on honour that the grant was used as described"), default=False
    )
    # Set by the case officer's transitions (return_report / approve_report).
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=UsageReportStatus,
        default=UsageReportStatus.SUBMITTED,
        editable=False,
    )
    review_reasons = models.TextField(_("case officer's reasons"), blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("usage report")
        verbose_name_plural = _("usage reports")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount_spent}"


class DocumentKind(models.TextChoices):
    DECISION_LETTER = "decision_letter", _("Decision letter")


def document_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class Document(models.Model):
    """A document the municipality produced and sent on a case (journalised with its date)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind)
    title = models.CharField(max_length=200)
    pdf = models.FileField(upload_to=document_path, max_length=300)
    html = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


from .grants import (  # noqa: E402  (registered with the cases app)
    CarryOver,
    RepaymentClaim,
    ReportAttachment,
    ReportAttachmentKind,
    ReportRequirement,
    ReportTier,
    UsageReportLine,
)
from .meetings import (  # noqa: E402  (registered with the cases app)
    AgendaItem,
    Assessment,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    Meeting,
)

__all__ = [
    "AgendaItem",
    "Assessment",
    "Body",
    "CarryOver",
    "ConflictDeclaration",
    "ConflictRuling",
    "ConflictSource",
    "Meeting",
    "RepaymentClaim",
    "ReportAttachment",
    "ReportAttachmentKind",
    "ReportRequirement",
    "ReportTier",
    "UsageReportLine",
]
