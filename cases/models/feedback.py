"""The associations' voice (issue 20, item 3): a short questionnaire after the decision letter,
and the yearly summary the municipality sends back to the associations.

One answer per application (``Feedback.application`` is unique), optional: the association
may answer or say »Nej tak« (``declined``); either closes the invitation. The answer is tied
to the application only so that it is given once; no screen or API result for staff names
the association or the case (``cases/selectors/feedback.py`` reads aggregates and comments
only), and a round or year with fewer than ``MIN_ANSWERS`` answers shows no distribution
and no comment at all (small groups re-identify).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.applications import Application
from cases.models.common import history
from cases.models.municipalities import Municipality
from cases.trail.history import AuditedManager

#: Below this many answers a round's or a year's results show only the count.
MIN_ANSWERS = 3


class Ease(models.IntegerChoices):
    VERY_HARD = 1, _("Very hard")
    HARD = 2, _("Hard")
    NEITHER = 3, _("Neither easy nor hard")
    EASY = 4, _("Easy")
    VERY_EASY = 5, _("Very easy")


class TimeSpent(models.TextChoices):
    """How long it took to apply. Stable identifiers; the labels are translated."""

    UNDER_1_HOUR = "under_1_hour", _("Under 1 hour")
    HOURS_1_3 = "hours_1_3", _("1–3 hours")
    HALF_DAY = "half_day", _("Half a day")
    DAY_OR_MORE = "day_or_more", _("A day or more")


class UnclearPart(models.TextChoices):
    """The parts of applying that may have been unclear (several may be chosen)."""

    CALL = "call", _("The call for applications")
    FORM = "form", _("The application form")
    BUDGET = "budget", _("The budget")
    ATTACHMENTS = "attachments", _("The attachments")
    LETTER = "letter", _("The decision letter")
    OTHER = "other", _("Something else")


class Feedback(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="feedback"
    )
    # »Nej tak«: the association does not want to answer; nothing else is kept.
    declined = models.BooleanField(_("declined"), default=False)
    ease = models.PositiveSmallIntegerField(
        _("how easy it was to apply"),
        choices=Ease,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    time_spent = models.CharField(
        _("how long it took"), max_length=20, choices=TimeSpent, blank=True
    )
    unclear = models.JSONField(_("what was unclear"), default=list, blank=True)
    comment = models.TextField(_("comment"), max_length=limits.TEXT, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")

    def __str__(self) -> str:
        return f"feedback {self.pk}"


class FeedbackSummary(models.Model):
    """The yearly summary sent back to every association that applied that year: the figures
    as they were when it was sent (``figures``), the case officer's text, who sent it, when."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="feedback_summaries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("text"), max_length=limits.TEXT)
    figures = models.JSONField(_("figures"), default=dict)
    recipients = models.PositiveIntegerField(_("associations it was sent to"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_by_name = models.CharField(max_length=300)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = AuditedManager()
    history = history()

    class Meta:
        verbose_name = _("yearly summary of the questionnaire")
        verbose_name_plural = _("yearly summaries of the questionnaire")
        ordering = ["-year", "-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="feedback_summary_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}"
