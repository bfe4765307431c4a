"""The hearing of the association (partshøring, forvaltningsloven § 19), and the rule it serves.

A part of ``ApplicationFlow`` (see ``application_base.py``), on the same state:

    submitted | in_council_review | recommended | report_submitted ─start_hearing→ in_hearing
    in_hearing ─answer_hearing→ (where it came from);  ─end_hearing→ (where it came from)

The case officer starts a hearing, also on the council's or the committee's behalf;
the association answers with text and files; when the deadline has passed, beat ends
the hearing as the system user (``end_expired_hearings``), and the case officer may
end it earlier (the hearing is then withdrawn). Either way the case returns to the
state it was in, so the chart shows ``in_hearing`` with an edge back to each source.

The rule (§ 19): an adverse decision — a rejection at screening, a refusal or a grant
of less than was asked for, a repayment claim — needs either a completed hearing on
the case (answered, or its deadline passed) or a recorded reason why none was needed
(``HearingExceptionInput``: § 19, stk. 1 does not apply, or a ground of stk. 2). The
transitions call ``hearing_outcome``; it words the refusal and gives the transition
record's ``payload["hearing"]``, which the letters render.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases import limits
from cases.errors import ConditionsUnmet, InvalidInput
from cases.models import (
    HEARING_COMPLETED,
    Application,
    ApplicationStatus,
    Hearing,
    HearingAttachment,
    HearingGround,
    HearingOutcome,
    StatusGroup,
)
from cases.roles import SYSTEM
from cases.services.grants import delete_files
from cases.trail.history import SYSTEM_USERNAME
from notifications.models import Kind
from workflows import rules
from workflows.application_base import STATE, ApplicationFlowBase
from workflows.flow import condition
from workflows.inputs import (
    CheckedUpload,
    DocumentFiles,
    Text,
    TransitionInput,
    check_room_for,
    iso_date,
    text,
)

S = ApplicationStatus
# Where a hearing may start, and so where it returns to.
HEARING_SOURCES = [S.SUBMITTED, S.IN_COUNCIL_REVIEW, S.RECOMMENDED, S.REPORT_SUBMITTED]


# --- the § 19 rule --------------------------------------------------------------------------


class HearingException:
    """Why no hearing was needed: the domain's grounds (``cases.models.HearingGround``)."""

    OWN_INFORMATION = HearingGround.OWN_INFORMATION.value
    CHOICES = HearingGround.choices
    CODES = frozenset(HearingGround.values)


class HearingExceptionInput(TransitionInput):
    """The fields an adverse decision takes besides its own: why no hearing was needed.

    An input form of such a transition derives from this one; the fields go last.
    """

    hearing_exception = forms.ChoiceField(
        label=gettext_lazy("No hearing (partshøring) because"),
        choices=[
            ("", gettext_lazy("A hearing was held (or the decision is not adverse)")),
            *HearingException.CHOICES,
        ],
        required=False,
        help_text=gettext_lazy(
            "Forvaltningsloven § 19: an adverse decision on facts the association may not "
            "know needs a hearing first, or a reason why none was needed."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose one of the grounds listed.")},
    )
    hearing_exception_reason = text(
        gettext_lazy("Why the ground applies to this case"), rows=3, max_length=limits.TEXT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("hearing_exception", "hearing_exception_reason"):
            self.fields[name] = self.fields.pop(name)


def completed_hearing(application: Application, since: datetime | None) -> Hearing | None:
    """The latest hearing on the case that was answered or whose deadline passed."""
    hearings = Hearing.objects.filter(application=application, outcome__in=HEARING_COMPLETED)
    if since is not None:
        hearings = hearings.filter(started_at__gte=since)
    return hearings.order_by("-ended_at", "-id").first()


def hearing_outcome(
    application: Application,
    *,
    ground: str = "",
    reason: str = "",
    since: datetime | None = None,
) -> dict[str, Any]:
    """``payload["hearing"]`` of an adverse decision; ``InvalidInput`` naming § 19 if neither
    a completed hearing (started at ``since`` or later) nor a reasoned exception is there.

    A completed hearing is recorded as such even when a ground is also given: the letter
    then says what happened, not what might have excused it.
    """
    held = completed_hearing(application, since)
    if held is not None:
        ended = held.ended_at or held.answered_at or timezone.now()
        return {
            "kind": "held",
            "hearing": held.pk,
            "answered": held.outcome == HearingOutcome.ANSWERED,
            "ended_on": timezone.localdate(ended).isoformat(),
        }
    if not ground:
        raise InvalidInput(
            {
                "hearing_exception": [
                    _(
                        "The decision goes against the association. Under forvaltningsloven "
                        "§ 19 it must first be heard on the facts (start a hearing), or choose "
                        "why no hearing was needed."
                    )
                ]
            }
        )
    if ground not in HearingException.CODES:
        raise InvalidInput({"hearing_exception": [_("Choose one of the grounds listed.")]})
    if not reason.strip():
        raise InvalidInput(
            {"hearing_exception_reason": [_("Say why the ground applies to this case.")]}
        )
    return {"kind": "exception", "ground": ground, "reason": reason.strip()}


def exception_label(code: str) -> str:
    """The ground's label, for letters and screens (the code itself if unknown)."""
    return str(dict(HearingException.CHOICES).get(code, code))


# --- typed input --------------------------------------------------------------------------


def _when(day: date) -> str:
    return formats.date_format(day, "j. F Y")


# --- conditions and rules -------------------------------------------------------------------


def case_officer_or_system(flow: Any, user: Any) -> str:
    """The case officer; or Puljeflow itself, ending a hearing whose deadline has passed."""
    if getattr(user, "username", None) == SYSTEM_USERNAME and not user.is_active:
        return SYSTEM
    return rules.case_officer(flow, user)


def _return_target(flow: HearingTransitions, *args: Any, **kwargs: Any) -> str:
    hearing = flow.open_hearing()
    if hearing is None:  # only by a state written outside the flow
        raise ConditionsUnmet(_("There is no open hearing on this case."))
    return hearing.return_state


@condition
def hearing_before_decision(flow: HearingTransitions) -> fsm.State.CONDITION:
    """A case in hearing may be withdrawn while the hearing serves a decision still to
    come; one heard on its usage report has been decided (granted) already."""
    if flow.application.status != S.IN_HEARING:
        return fsm.State.CONDITION(True)
    hearing = flow.open_hearing()
    if hearing is not None and hearing.return_state in StatusGroup.BEFORE_DECISION:
        return fsm.State.CONDITION(True)
    return fsm.State.CONDITION(
        False,
        _(
            "The application has been decided; the hearing concerns what followed, so the "
            "application can no longer be withdrawn."
        ),
    )


class HearingTransitions(ApplicationFlowBase):
    """Start, answer and end a hearing."""

    def open_hearing(self) -> Hearing | None:
        if not hasattr(self, "_open_hearing"):
            self._open_hearing = (
                Hearing.objects.filter(application=self.application, outcome="")
                .order_by("-id")
                .first()
            )
        return self._open_hearing

    class StartHearingInput(TransitionInput):
        facts = text(
            gettext_lazy("The facts the association is heard on"),
            required_message=gettext_lazy(
                "Write the facts the association is to comment on: what the decision may "
                "rest on that it may not know."
            ),
            rows=6,
        )
        concerns = text(gettext_lazy("Documents and information concerned"), rows=3)
        deadline = iso_date(
            gettext_lazy("Deadline for the answer"),
            invalid_message=gettext_lazy("Enter the deadline as YYYY-MM-DD."),
            help_text=gettext_lazy("Leave empty for the municipality's usual number of days."),
        )

    @STATE.transition(
        source=HEARING_SOURCES,
        target=S.IN_HEARING,
        label=gettext_lazy("Start a hearing"),
        permission=rules.case_officer,
        custom={"done": gettext_lazy("Hearing started"), "form": StartHearingInput},
    )
    def start_hearing(
        self, *, facts: str, concerns: str = "", deadline: date | None = None
    ) -> None:
        today = timezone.localdate()
        due = deadline or today + timedelta(days=self.application.municipality.hearing_days)
        if due <= today:
            raise InvalidInput(
                {
                    "deadline": [
                        _("The deadline must be after today, so the association can answer.")
                    ]
                }
            )
        hearing = Hearing(
            application=self.application,
            facts=facts,
            concerns=concerns,
            deadline=due,
            return_state=self.from_state,
            started_by=self.actor,
        )
        hearing._history_user = self.actor  # type: ignore[attr-defined]
        hearing.save()
        self._save()
        self._record(
            reason=facts,
            hearing=hearing.pk,
            concerns=concerns,
            deadline=due,
            returns_to=self.from_state,
        )
        self._tell_association(
            Kind.HEARING_STARTED, legal=True, facts=facts, concerns=concerns, deadline=due
        )

    class AnswerHearingInput(TransitionInput):
        answer = Text(
            label=gettext_lazy("Your answer"),
            max_length=limits.TEXT,
            error_messages={"required": gettext_lazy("Write your answer to the hearing.")},
            widget=forms.Textarea(attrs={"rows": 8}),
        )
        documents = DocumentFiles()

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            check_room_for(self, "documents", self.flow.application if self.flow else None)
            return data

    @STATE.transition(
        source=S.IN_HEARING,
        target=fsm.State.GET_STATE(_return_target, states=HEARING_SOURCES),
        label=gettext_lazy("Answer the hearing"),
        permission=rules.applicant_or_paper_case_officer,
        custom={
            "done": gettext_lazy("Hearing answered"),
            "form": AnswerHearingInput,
            "returns": True,
        },
    )
    def answer_hearing(self, *, answer: str, documents: list[CheckedUpload] | None = None) -> None:
        hearing = self.open_hearing()
        assert hearing is not None  # _return_target has found it, with the row locked
        hearing.answer = answer
        hearing.answered_by = self.actor
        hearing.answered_at = hearing.ended_at = timezone.now()
        hearing.ended_by = self.actor
        hearing.outcome = HearingOutcome.ANSWERED
        hearing._history_user = self.actor  # type: ignore[attr-defined]
        hearing.save()
        stored = self._store_files(hearing, documents or [])
        try:
            self._save()
            self._record(
                reason=answer,
                hearing=hearing.pk,
                attachments=[{"name": a.original_name, "size": a.size} for a in stored],
            )
        except BaseException:
            delete_files(a.file for a in stored)
            raise
        self._tell_case_officers(
            Kind.HEARING_ANSWERED, facts=hearing.facts, answer=answer, files=len(stored)
        )

    def _store_files(self, hearing: Hearing, files: list[CheckedUpload]) -> list[Any]:
        stored: list[HearingAttachment] = []
        try:
            for item in files:
                upload = item.upload
                attachment = HearingAttachment(
                    hearing=hearing,
                    original_name=str(upload.name)[:255],
                    size=upload.size,
                    content_type=item.content_type,
                    uploaded_by=self.actor,
                )
                attachment._history_user = self.actor  # type: ignore[attr-defined]
                attachment.file.save(str(upload.name), upload, save=False)
                stored.append(attachment)
                attachment.save()
        except BaseException:
            delete_files(a.file for a in stored)
            raise
        return stored

    class EndHearingInput(TransitionInput):
        reason = text(gettext_lazy("Note"), rows=3)

    @STATE.transition(
        source=S.IN_HEARING,
        target=fsm.State.GET_STATE(_return_target, states=HEARING_SOURCES),
        label=gettext_lazy("End the hearing"),
        permission=case_officer_or_system,
        custom={"done": gettext_lazy("Hearing ended"), "form": EndHearingInput, "returns": True},
    )
    def end_hearing(self, *, reason: str = "") -> None:
        hearing = self.open_hearing()
        assert hearing is not None  # _return_target has found it, with the row locked
        passed = hearing.deadline < timezone.localdate()
        if self.role == SYSTEM and not passed:
            raise ConditionsUnmet(
                _("The hearing's deadline, %(when)s, has not passed.")
                % {"when": _when(hearing.deadline)}
            )
        hearing.outcome = HearingOutcome.EXPIRED if passed else HearingOutcome.WITHDRAWN
        hearing.ended_at = timezone.now()
        hearing.ended_by = self.actor
        hearing._history_user = self.actor  # type: ignore[attr-defined]
        hearing.save()
        self._save()
        self._record(
            reason=reason, hearing=hearing.pk, outcome=hearing.outcome, deadline=hearing.deadline
        )
        context: dict[str, Any] = {
            "facts": hearing.facts,
            "deadline": hearing.deadline,
            "outcome": hearing.outcome,
        }
        self._tell_association(Kind.HEARING_ENDED, **context)
        if passed:
            self._tell_case_officers(Kind.HEARING_ENDED, **context)

    def _close_hearing_on_withdrawal(self) -> Hearing | None:
        """The open hearing of a case being withdrawn, ended as such (``None`` if there is
        none): nothing is left to decide, so beat does not end it and no reminder goes."""
        if self.from_state != S.IN_HEARING:
            return None
        hearing = self.open_hearing()
        assert hearing is not None  # hearing_before_decision has found it, row locked
        hearing.outcome = HearingOutcome.CASE_WITHDRAWN
        hearing.ended_at = timezone.now()
        hearing.ended_by = self.actor
        hearing._history_user = self.actor  # type: ignore[attr-defined]
        hearing.save(update_fields=["outcome", "ended_at", "ended_by"])
        return hearing

    # --- for the adverse transitions ----------------------------------------------------

    def _hearing_payload(
        self,
        adverse: bool,
        hearing_exception: str = "",
        hearing_exception_reason: str = "",
        since: datetime | None = None,
    ) -> dict[str, Any]:
        """``{"hearing": …}`` for a transition record, ``{}`` when the decision is not adverse.

        ``since``: from when a hearing counts (default: the application's submission).
        """
        if not adverse:
            return {}
        return {
            "hearing": hearing_outcome(
                self.application,
                ground=hearing_exception or "",
                reason=hearing_exception_reason or "",
                since=since or self.application.submitted_at,
            )
        }
