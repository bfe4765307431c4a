"""Municipalities, associations and the people in them: who is staff where, who represents whom."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.common import history
from cases.trail.history import AuditedManager
from cases.validators import (
    public_slug_of,
    validate_bank_account,
    validate_bank_registration,
    validate_cvr,
    validate_iban,
    validate_phone,
    validate_public_slug,
)
from cases.working_days import optional_closed_days

# The complaint guidance a letter carries when the municipality has written none. A grant
# under servicelovens § 18 (or § 79) has no administrative appeal; the routes that exist are
# the municipalities' supervisory authority and the Ombudsman. No legal basis is cited for
# the first sentence: a municipality that wants one writes its own text.
DEFAULT_COMPLAINT_GUIDANCE = _(
    "You cannot complain about the decision to another administrative authority.\n\n"
    "If you believe that the municipality has acted against the law, you can contact "
    "Ankestyrelsen, which supervises the municipalities. You can also complain to the "
    "Parliamentary Ombudsman (Folketingets Ombudsmand) within 12 months of the decision.\n\n"
    "You are always welcome to contact the municipality if you believe that your case has "
    "been handled wrongly."
)

# The complaint guidance on a decision on access to documents (aktindsigt) when the
# municipality has written none. Offentlighedslovens § 37: the complaint goes to the
# authority that decided, which reconsiders and, if it upholds the decision, forwards it
# within 7 working days; a § 18 grant has no appeal body, so it goes to Ankestyrelsen as
# the municipalities' supervisory authority.
DEFAULT_ACCESS_COMPLAINT_GUIDANCE = _(
    "You can complain about this decision on access to documents. Send your complaint to "
    "the municipality (offentlighedslovens § 37). The municipality will reconsider its "
    "decision. If it upholds it, it will forward your complaint and the case's documents "
    "as soon as possible, and as a rule within 7 working days, to Ankestyrelsen, which "
    "supervises the municipalities and handles complaints about their decisions on access "
    "to documents.\n\n"
    "You can also complain to the Parliamentary Ombudsman (Folketingets Ombudsmand), as a "
    "rule within 12 months of the decision."
)


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # The sender of its Digital Post (issue 18); blank: PULJEFLOW_DIGITAL_POST_SENDER_CVR.
    cvr = models.CharField(_("CVR number"), max_length=8, blank=True, validators=[validate_cvr])
    council_name = models.CharField(
        _("name of the volunteer council"), max_length=150, default="Frivillighedsrådet"
    )
    committee_name = models.CharField(
        _("name of the deciding committee"), max_length=150, default="Kultur- og Fritidsudvalget"
    )
    complaint_guidance = models.TextField(
        _("complaint guidance"),
        blank=True,
        max_length=limits.TEXT,
        help_text=_(
            "For every adverse decision without a text of its own (below). Blank: the "
            "default guidance (no administrative appeal; Ankestyrelsen; the Ombudsman)."
        ),
    )
    # How the association reaches the municipality: printed on every letter.
    address = models.CharField(_("address"), max_length=limits.SHORT_TEXT, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # Where a repayment claim is paid: printed on the claim's letter.
    payee_name = models.CharField(
        _("payee"),
        max_length=limits.SHORT_TEXT,
        blank=True,
        help_text=_("The name repayments are made out to. Blank: the municipality's name."),
    )
    bank_registration = models.CharField(
        _("bank registration number"),
        max_length=4,
        blank=True,
        validators=[validate_bank_registration],
    )
    bank_account = models.CharField(
        _("bank account number"), max_length=10, blank=True, validators=[validate_bank_account]
    )
    iban = models.CharField(_("IBAN"), max_length=42, blank=True, validators=[validate_iban])
    council_quorum = models.PositiveSmallIntegerField(
        _("council quorum"),
        null=True,
        blank=True,
        help_text=_(
            "How many non-conflicted council members must be present for the council to "
            "recommend on an application. Blank: a majority of its non-conflicted members."
        ),
    )
    committee_quorum = models.PositiveSmallIntegerField(
        _("committee quorum"),
        null=True,
        blank=True,
        help_text=_(
            "How many committee members who are not disqualified must be present for the "
            "committee to decide on an application. Blank: more than half of them."
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
    privacy_contact = models.TextField(
        _("data protection officer (contact)"),
        blank=True,
        max_length=limits.TEXT,
        help_text=_(
            "Who to ask about personal data: the municipality's data protection officer's "
            "name, e-mail and phone. Shown on the privacy notice."
        ),
    )

    # --- requests for access to documents (aktindsigt) ---
    access_complaint_guidance = models.TextField(
        _("complaint guidance on access to documents"),
        blank=True,
        max_length=limits.TEXT,
        help_text=_("Blank: the default text (complaint to the municipality, then Ankestyrelsen)."),
    )
    closed_on_constitution_day = models.BooleanField(
        _("closed on 5 June"),
        default=True,
        help_text=_("Grundlovsdag does not count as a working day for access deadlines."),
    )
    closed_on_christmas_eve = models.BooleanField(
        _("closed on 24 December"),
        default=True,
        help_text=_("24 December does not count as a working day for access deadlines."),
    )
    closed_on_new_years_eve = models.BooleanField(
        _("closed on 31 December"),
        default=True,
        help_text=_("31 December does not count as a working day for access deadlines."),
    )

    hearing_days = models.PositiveSmallIntegerField(
        _("days for a hearing"),
        default=14,
        help_text=_(
            "The deadline a hearing (partshøring) gives the association by default, in days."
        ),
    )

    # --- the public pages (issue 18): /<slug>/ ---
    slug = models.SlugField(
        _("address of the public pages"),
        max_length=60,
        unique=True,
        blank=True,
        validators=[validate_public_slug],
        help_text=_(
            "The first part of the public pages' address, e.g. »naestved« for /naestved/. "
            "Lower-case letters, digits and hyphens. Blank: made from the name."
        ),
    )
    publish_refusals = models.BooleanField(
        _("publish refusals in the grants register"),
        default=False,
        help_text=_(
            "Refused and rejected applications are shown in the public register as well, "
            "with the association's name and the title."
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = _free_slug(public_slug_of(self.name), self.pk)
        super().save(*args, **kwargs)

    def complaint_text(self, kind: str = "") -> str:
        """The complaint guidance for a letter of ``kind`` (a ``DocumentKind``): the
        municipality's text for that kind, else its general text, else the default for the
        kind in the active language (``cases.models.documents.default_complaint_text``).

        A returned usage report is no decision: the general text (written for decisions)
        would mislead there, so it falls back to its own default."""
        from cases.models.documents import DocumentKind, default_complaint_text

        if kind:
            own = next((g.text for g in self.complaint_texts.all() if g.kind == kind), "")
            if own.strip():
                return own
            if kind == DocumentKind.REPORT_RETURNED:
                return default_complaint_text(kind)
        return self.complaint_guidance or default_complaint_text(kind)

    def access_complaint_text(self) -> str:
        """The complaint guidance for a decision on access to documents."""
        return self.access_complaint_guidance or str(DEFAULT_ACCESS_COMPLAINT_GUIDANCE)

    def closed_days(self, *years: int) -> set[datetime.date]:
        """The days this municipality keeps closed beyond the public holidays."""
        days: set[datetime.date] = set()
        for year in years:
            days |= optional_closed_days(
                year,
                constitution_day=self.closed_on_constitution_day,
                christmas_eve=self.closed_on_christmas_eve,
                new_years_eve=self.closed_on_new_years_eve,
            )
        return days


def _free_slug(base: str, pk: int | None) -> str:
    """``base``, or ``base-2``, ``base-3`` … when another municipality has it or a path of
    the site starts with it."""
    from django.core.exceptions import ValidationError

    base = base or "kommune"
    candidate, n = base, 1
    while True:
        taken = Municipality.objects.filter(slug=candidate).exclude(pk=pk).exists()
        try:
            validate_public_slug(candidate)
        except ValidationError:
            taken = True
        if not taken:
            return candidate
        n += 1
        candidate = f"{base}-{n}"


class PublicationVersion(models.Model):
    """How many times a municipality's public pages have changed (a decision, a round
    edited): part of every cache key of those pages, so one UPDATE here makes every
    process's cached copy stale at once (web/public, cases/services/publication.py).
    Not a domain record: no history."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, primary_key=True, related_name="publication"
    )
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.version}"


class Association(models.Model):
    name = models.CharField(_("name"), max_length=limits.SHORT_TEXT)
    cvr = models.CharField(_("CVR number"), max_length=8, unique=True, validators=[validate_cvr])
    address = models.CharField(_("address"), max_length=limits.SHORT_TEXT)
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
    # When the name and address last came from the CVR register (issue 18); empty when they
    # were typed in, so the association's representatives may correct them by hand.
    cvr_fetched_at = models.DateTimeField(
        _("fetched from the CVR register"), null=True, blank=True, editable=False
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
    # Rules on a case officer's declared tie (forvaltningsloven § 3 and § 6).
    MANAGER = "manager", _("Manager")


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
