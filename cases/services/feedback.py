"""The associations' voice (issue 20, item 3): answering the questionnaire, saying »Nej tak«,
and sending the yearly summary back to the associations.

The rule of who may answer is written once, here (``feedback_refusal``); the screen and the
API ask it. An answer is final: once answered or declined, the invitation is closed (the
questionnaire is a quick look back, not a case document to be edited).

The domain does not import notifications: the invitation goes out when a decision letter is
written (the notifications app listens for the letter, ``notifications/feedback.py``), and
the summary is announced through ``summary_sent``, which the notifications app answers with
one outbox row per association, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases import limits, roles
from cases.models import (
    Application,
    Feedback,
    FeedbackSummary,
    Municipality,
    Role,
    TimeSpent,
    UnclearPart,
)
from cases.selectors.feedback import DECIDED, associations_of_year, is_open, year_results
from cases.trail.history import actor_display_name

# Sent inside the sending transaction with ``summary`` and ``associations`` (a list); the
# notifications app writes one notification per association.
summary_sent = Signal()


class AlreadyAnswered(Exception):
    """The questionnaire of this application has been answered or declined already."""


def feedback_refusal(user: Any, application: Application) -> str | None:
    """Why ``user`` may not answer the questionnaire on ``application`` now (None: they may)."""
    if not roles.represents(user, application):
        return _("Only the association that applied answers the questionnaire.")
    if application.status not in DECIDED:
        return _("You can answer the questionnaire once the decision on the application is made.")
    if not is_open(application):
        return _("The questionnaire on this application has closed.")
    return None


def _require(user: Any, application: Application) -> None:
    refusal = feedback_refusal(user, application)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _clean(
    ease: int | None, time_spent: str, unclear: Iterable[str], comment: str
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if ease is not None and not 1 <= ease <= 5:
        errors["ease"] = [_("Choose a number from 1 to 5.")]
    if time_spent and time_spent not in TimeSpent.values:
        errors["time_spent"] = [_("Choose one of the answers.")]
    parts = list(dict.fromkeys(unclear))
    if any(part not in UnclearPart.values for part in parts):
        errors["unclear"] = [_("Choose among the parts listed.")]
    comment = comment.strip()
    if len(comment) > limits.TEXT:
        errors["comment"] = [
            _("Write at most %(n)s characters.") % {"n": f"{limits.TEXT:,}".replace(",", ".")}
        ]
    if ease is None and not time_spent and not parts and not comment:
        errors["__all__"] = [
            _("Answer at least one question, or choose »No thanks« if you do not want to answer.")
        ]
    if errors:
        raise ValidationError(errors)
    order = {value: i for i, value in enumerate(UnclearPart.values)}
    return {
        "ease": ease,
        "time_spent": time_spent,
        "unclear": sorted(parts, key=order.__getitem__),
        "comment": comment,
    }


def _save(application: Application, **values: Any) -> Feedback:
    try:
        with transaction.atomic():
            # The application row locked: two answers at once cannot both be the first.
            Application.objects.select_for_update().filter(pk=application.pk).first()
            if Feedback.objects.filter(application=application).exists():
                raise AlreadyAnswered
            feedback = Feedback(
                application=application,
                language=(get_language() or "da")[:2],
                answered_at=timezone.now(),
                **values,
            )
            feedback.save(force_insert=True)
    except IntegrityError as error:  # the one-per-application constraint, as a last guard
        raise AlreadyAnswered from error
    return feedback


def feedback_answer(
    *,
    application: Application,
    acting_user: Any,
    ease: int | None,
    time_spent: str = "",
    unclear: Iterable[str] = (),
    comment: str = "",
) -> Feedback:
    """Save the association's answer. Raises PermissionDenied (not theirs, not decided yet),
    ValidationError (field → messages) or AlreadyAnswered."""
    _require(acting_user, application)
    values = _clean(ease, time_spent, unclear, comment)
    return _save(application, **values)


def feedback_decline(*, application: Application, acting_user: Any) -> Feedback:
    """»Nej tak«: close the invitation without an answer."""
    _require(acting_user, application)
    return _save(application, declined=True)


def summary_refusal(user: Any, municipality: Municipality) -> str | None:
    if not roles.profile(user).has_role(municipality.pk, Role.CASE_OFFICER):
        return _("Only the municipality's case officers send the yearly summary.")
    return None


def feedback_summary_send(
    *, municipality: Municipality, year: int, text: str, acting_user: Any
) -> FeedbackSummary:
    """Send the year's summary: keep its figures as they are now, with the text, who sent it
    and when, and tell every association that applied that year (one notification each).
    Once a year per municipality: a second attempt raises ValidationError."""
    refusal = summary_refusal(acting_user, municipality)
    if refusal is not None:
        raise PermissionDenied(refusal)
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write a few words to the associations.")]})
    if len(text) > limits.TEXT:
        raise ValidationError(
            {
                "text": [
                    _("Write at most %(n)s characters.")
                    % {"n": f"{limits.TEXT:,}".replace(",", ".")}
                ]
            }
        )
    with transaction.atomic():
        # The municipality row locked: two case officers sending at once send once.
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        if FeedbackSummary.objects.filter(municipality=municipality, year=year).exists():
            raise ValidationError(
                {"__all__": [_("The summary for %(year)s has already been sent.") % {"year": year}]}
            )
        associations = list(associations_of_year(municipality, year))
        summary = FeedbackSummary(
            municipality=municipality,
            year=year,
            text=text,
            figures=year_results(municipality, year).as_figures(),
            recipients=len(associations),
            sent_by=acting_user,
            sent_by_name=actor_display_name(acting_user),
        )
        summary.save(force_insert=True)
        summary_sent.send(FeedbackSummary, summary=summary, associations=associations)
    return summary
