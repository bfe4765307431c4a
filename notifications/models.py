"""The outbox: one row per message to one person, and each person's preferences.

A row is written in the same transaction as the change it reports (see
``services.notify``) and is then delivered by ``delivery.deliver_notification``.
The row is also the in-app notification: ``selectors.for_user`` lists a user's
rows whatever their channel.

This is not a domain model with history: delivery bookkeeping is written with
conditional ``QuerySet.update()`` on purpose (the claim *is* such an update).
"""

from __future__ import annotations

import functools
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Stable identifiers of what a message is about; each has templates under
    ``templates/notifications/<kind>.{subject.txt,txt,html}``. Never rename one."""

    APPLICATION_SUBMITTED = "application_submitted", _("Receipt for a submitted application")
    INFO_REQUESTED = "info_requested", _("The municipality asks for information")
    INFO_PROVIDED = "info_provided", _("The association has answered a question")
    APPLICATION_ACCEPTED = "application_accepted", _("Application accepted for council review")
    APPLICATION_REJECTED = "application_rejected", _("Application rejected as ineligible")
    APPLICATION_WITHDRAWN = "application_withdrawn", _("Application withdrawn")
    DECISION = "decision", _("Decision on an application")
    PAYOUT_REGISTERED = "payout_registered", _("Payout registered")
    REPORT_RETURNED = "report_returned", _("Usage report returned")
    REPORT_APPROVED = "report_approved", _("Usage report approved")
    REPAYMENT_CLAIMED = "repayment_claimed", _("Repayment of an unspent balance claimed")
    # Reminders (``reminders/``): never legal notices, so a user may switch each off.
    DEADLINE_APPROACHING = "deadline_approaching", _("Reminder: the round's deadline is near")
    INFO_UNANSWERED = "info_unanswered", _("Reminder: a request for information is unanswered")
    ASSESSMENTS_MISSING = (
        "assessments_missing",
        _("Reminder: assessments missing before a council meeting"),
    )
    AGENDA_READY = "agenda_ready", _("The committee's agenda is ready")
    REPORT_DUE = "report_due", _("Reminder: a usage report is due")
    REPORT_OVERDUE = "report_overdue", _("Reminder: a usage report is overdue")
    REPORT_OVERDUE_STAFF = "report_overdue_staff", _("A usage report is overdue (to case officers)")
    WAITING_DIGEST = "waiting_digest", _("Daily digest: applications waiting too long")
    ACCESS_DEADLINE = "access_deadline", _("Reminder: a request for access to documents is due")
    # Retention (issue 16): a draft never submitted is deleted after a period; a month before.
    DRAFT_EXPIRING = "draft_expiring", _("Notice: an unsubmitted draft will be deleted")
    # Issue 16: the hearing (partshøring, workflows/hearing.py).
    HEARING_STARTED = "hearing_started", _("The municipality asks for your comments (hearing)")
    HEARING_ANSWERED = "hearing_answered", _("The association has answered a hearing")
    HEARING_ENDED = "hearing_ended", _("A hearing has ended")
    HEARING_REMINDER = "hearing_reminder", _("Reminder: a hearing's deadline is near")
    # Issue 17: a case officer has been given a case (workflows/assignment.py).
    CASE_ASSIGNED = "case_assigned", _("A case has been assigned to you")
    # Issue 17: a message on the case, to the other side (notifications/case_messages.py).
    MESSAGE_RECEIVED = "message_received", _("A new message on a case")
    # Issue 20, voice: the questionnaire after a decision letter, and the yearly summary of
    # the answers sent back to every association that applied (notifications/feedback.py).
    FEEDBACK_INVITED = "feedback_invited", _("Questionnaire: how was it to apply?")
    FEEDBACK_SUMMARY = "feedback_summary", _("The yearly summary of the questionnaire")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GIVEN_UP = "given_up", _("Given up")


# Rows in these states still have work to do; ``next_attempt_at`` says from when.
UNDELIVERED = (Status.PENDING, Status.FAILED, Status.SENDING)


class Channel(models.TextChoices):
    """How a row reaches its recipient besides the in-app list (see ``channels.py``)."""

    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In Puljeflow only")
    # Issue 18: a letter or legal notice to the association's Digital Post by its CVR
    # (notifications/digital_post/). The row has no user; recipient_cvr says where it went.
    DIGITAL_POST = "digital_post", _("Digital Post")


def new_message_id() -> str:
    """A globally unique RFC 5322 Message-ID, fixed when the row is created, so
    every copy of the same notification carries the same id."""
    domain = _message_id_domain(
        getattr(settings, "NOTIFICATIONS_MESSAGE_ID_DOMAIN", ""),
        getattr(settings, "DEFAULT_FROM_EMAIL", ""),
    )
    return f"<{uuid.uuid4().hex}@{domain}>"


@functools.lru_cache(maxsize=16)
def _message_id_domain(configured: str, from_email: str) -> str:
    # Parsed once per setting, not once per row: a sweep writes thousands of rows.
    return configured or parseaddr(from_email)[1].rpartition("@")[2] or "puljeflow.invalid"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,  # covered by the (recipient, -created_at) index below
    )  # a deleted user's rows stay, with the address they went to
    # The address at the time of writing: where a legal notice went is part of the record.
    recipient_email = models.EmailField(_("e-mail address"), blank=True)
    kind = models.CharField(_("kind"), max_length=50)
    application = models.ForeignKey(
        "cases.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    is_legal_notice = models.BooleanField(
        _("legal notice"),
        default=False,
        help_text=_("A notice the law requires; recipients cannot switch it off."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel)

    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the row is next due: the retry time of a pending or failed row, the end of
    # the lease of a sending row. One column makes "due and not yet done" one range.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=255, unique=True, default=new_message_id, editable=False
    )

    # Issue 18, Digital Post rows only: the association's CVR at the time of writing, the
    # letter carried (none for a legal notice without a letter) and the MeMo messageUUID,
    # fixed when the row is written so that every attempt sends the same message.
    recipient_cvr = models.CharField(_("CVR number"), max_length=8, blank=True)
    document = models.ForeignKey(
        "cases.Document",
        # Retention deletes a finished case's letters (their fingerprints stay in the trail);
        # the row stays as the record of what was sent where.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digital_post",
        verbose_name=_("letter"),
    )
    memo_uuid = models.UUIDField(_("MeMo message UUID"), null=True, blank=True, unique=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: only undelivered rows are indexed, so the index stays as small
            # as the backlog however many sent rows accumulate.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=UNDELIVERED),
                name="notification_due",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_email or self.recipient_id} ({self.status})"


class UserPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="da"
    )
    muted_kinds = models.JSONField(
        _("switched-off notifications"),
        default=list,
        blank=True,
        help_text=_("Kinds not to be told about. Legal notices are sent regardless."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class Reminder(models.Model):
    """One reminder that has been sent, by its key: (rule, object, due date, recipient).

    The key is unique in the database and the row is inserted in the same transaction
    as the notifications it produces (``reminders/``), so of any number of beats,
    workers or retries evaluating the same due reminder, exactly one inserts the row
    and writes the notifications; the others insert nothing and send nothing.
    """

    rule = models.CharField(_("rule"), max_length=40)
    # What the reminder is about: "application", "meeting" or "municipality" and its id.
    object_kind = models.CharField(_("about"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("object id"))
    due_on = models.DateField(_("due on"))
    # The user reminded on their own (a council member, a case officer's digest), or 0
    # when one reminder goes to everyone the rule names (an association's users).
    recipient_key = models.PositiveBigIntegerField(_("recipient"), default=0)
    # The run that inserted the row: how a run tells the rows it won from those it lost.
    run = models.UUIDField(editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Its prefix (rule, object_kind, object_id) also serves the rules' NOT EXISTS.
            models.UniqueConstraint(
                fields=["rule", "object_kind", "object_id", "due_on", "recipient_key"],
                name="unique_reminder_key",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.rule} {self.object_kind} {self.object_id} {self.due_on} → {self.recipient_key}"
        )
