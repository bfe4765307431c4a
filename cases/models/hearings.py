"""The hearing of the association (partshøring, forvaltningsloven § 19).

Before an adverse decision rests on facts the association may not know, the case
officer sends it those facts with a deadline; the association answers (text and
files), or the deadline passes, or the case officer withdraws the hearing. The case
waits in ``in_hearing`` meanwhile and returns to ``return_state``. The rows are
written by the flow's transitions (``workflows/hearing.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, F, OuterRef, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.applications import Application, ApplicationStatus
from cases.models.common import history
from cases.models.uploads import StoredUpload
from cases.trail.history import AuditedManager, audited_history


class HearingGround(models.TextChoices):
    """Why no hearing was needed before an adverse decision (forvaltningsloven § 19).

    Stable codes, recorded in ``payload["hearing"]["ground"]``; the labels paraphrase the
    statute (LBK nr. 433 af 22/04/2014): stk. 1 binds only for facts or external expert
    assessments against the party, material, and which the party cannot be assumed to know
    the authority holds. Sources: the closing note of issue 16.
    """

    OWN_INFORMATION = (
        "own_information",
        _(
            "§ 19, stk. 1 does not apply: the association knows that the municipality "
            "holds the information the decision rests on (it gave it, or has been told)"
        ),
    )
    STK2_NR1 = (
        "stk2_nr1",
        _(
            "§ 19, stk. 2, nr. 1: by the nature of the information or assessments and of "
            "the case, it is safe to decide on the information at hand"
        ),
    )
    STK2_NR2 = (
        "stk2_nr2",
        _(
            "§ 19, stk. 2, nr. 2: the delay a hearing causes would exceed a time limit set "
            "by law for deciding the case"
        ),
    )
    STK2_NR3 = (
        "stk2_nr3",
        _(
            "§ 19, stk. 2, nr. 3: telling the association would defeat the purpose of the "
            "decision or its effective carrying out"
        ),
    )
    STK2_NR4 = (
        "stk2_nr4",
        _(
            "§ 19, stk. 2, nr. 4: the association's interest in knowing the information "
            "must give way to decisive public or private interests (the limits on access "
            "in the Act's chapter 4)"
        ),
    )
    STK2_NR5 = (
        "stk2_nr5",
        _(
            "§ 19, stk. 2, nr. 5: other legislation's special provisions give the "
            "association no claim to be told the information"
        ),
    )


class HearingOutcome(models.TextChoices):
    """How a hearing ended; "" while it is open."""

    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Deadline passed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the case officer")
    # The association withdrew its application while heard: nothing is left to decide.
    CASE_WITHDRAWN = "closed", _("Ended: the application was withdrawn")


# A hearing that counts as held under § 19: the association had its say, or its time.
COMPLETED = (HearingOutcome.ANSWERED, HearingOutcome.EXPIRED)


class Hearing(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="hearings")
    facts = models.TextField(_("facts to be heard on"), max_length=limits.TEXT)
    concerns = models.TextField(
        _("documents and information concerned"), blank=True, max_length=limits.TEXT
    )
    deadline = models.DateField(_("deadline for the answer"))
    return_state = models.CharField(
        _("returns to"), max_length=20, choices=ApplicationStatus, editable=False
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True, max_length=limits.TEXT)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=HearingOutcome, blank=True, default=""
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["outcome", "deadline"])]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.deadline}"

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def days_left(self) -> int:
        """Whole days until the deadline (the deadline's day counts; negative when passed)."""
        return (self.deadline - timezone.localdate()).days


def hearing_attachment_path(instance: HearingAttachment, filename: str) -> str:
    # The stored name is ours; the original name is kept only as data.
    return f"hearings/{instance.hearing.application_id}/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class HearingAttachment(StoredUpload):
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=hearing_attachment_path, max_length=300)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("attachment of a hearing answer")
        verbose_name_plural = _("attachments of hearing answers")
        ordering = ["uploaded_at", "id"]


def standing() -> Case:
    """The state a case stands in, for annotating applications: its status, or for a case
    in hearing the state its open hearing returns to. A hearing before a decision stands
    in an open state, one on a usage report in report_submitted (granted)."""
    returns_to = (
        Hearing.objects.filter(application=OuterRef("pk"), outcome="")
        .order_by("-id")
        .values("return_state")[:1]
    )
    return Case(
        When(status=ApplicationStatus.IN_HEARING, then=Subquery(returns_to)),
        default=F("status"),
        output_field=CharField(),
    )
