"""The application flow's common ground: its state, the case, and the typed input fields
that several of its parts use.

The flow itself is ``ApplicationFlow`` (``application.py``). Its transitions are long
enough to need more than one file, so the parts after the grant (``after_grant.py``)
are written as a base class of it, on the same ``STATE``: viewflow collects the
transitions of a class with its bases', so the flow, its chart and the engine see one
state machine.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases import limits, permissions
from cases.compiled import Compiled
from cases.errors import ConditionsUnmet
from cases.flow_paths import COUNCIL_FLOW, steps_of
from cases.models import (
    Application,
    ApplicationStatus,
    Document,
    Meeting,
    RecommendationOutcome,
    RoundCriterion,
)
from notifications.selectors import applicant_list, case_officers_of
from notifications.services import notify
from workflows import meetings
from workflows.flow import Flow
from workflows.inputs import (
    Text,
    text,
)

S = ApplicationStatus
Outcome = RecommendationOutcome
STATE = fsm.State(ApplicationStatus, default=S.DRAFT)
# The case locked with what the conditions read of it: compiled once (cases/compiled.py).
LOCKED = Compiled(
    lambda pk: (
        Application.objects.select_for_update(of=("self",))
        .select_related("round", "association", "municipality")
        .filter(pk=pk)
    ),
    "pk",
)


# --- typed input used by more than one part ------------------------------------------------


def _note() -> forms.CharField:
    return text(gettext_lazy("Reasons / note"))


class MeetingField(forms.ModelChoiceField):
    """A meeting by its id; a caller holding the meeting (the agenda page) passes it as it is."""

    def to_python(self, value: Any) -> Any:
        return value if isinstance(value, Meeting) else super().to_python(value)


def _meeting() -> forms.ModelChoiceField:
    return MeetingField(
        queryset=Meeting.objects.all(),
        label=gettext_lazy("Meeting"),
        required=False,
        empty_label=None,
        error_messages={
            "invalid_choice": gettext_lazy("The application is not on the agenda of that meeting.")
        },
    )


class CriteriaField(forms.ModelMultipleChoiceField):
    """Criteria of the case's round by id (``TransitionInput.for_case`` offers them; before
    that none is valid); a caller holding the criteria (a screen's cleaned values) passes them."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, QuerySet | list | tuple):
            value = [v.pk if isinstance(v, RoundCriterion) else v for v in value]
        return super().clean(value)


def _criteria() -> CriteriaField:
    return CriteriaField(
        queryset=RoundCriterion.objects.none(),
        label=gettext_lazy("The criteria the recommendation rests on"),
        help_text=gettext_lazy("Optional. The letters cite them among the reasons."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy("%(value)s is not one of this round's criteria."),
            "invalid_pk_value": gettext_lazy("“%(pk)s” is not a criterion's id."),
            "invalid_list": gettext_lazy("Send the criteria as a list of ids."),
        },
    )


def _round_criteria(form: forms.Form, application: Application) -> None:
    form.fields["criteria"].queryset = RoundCriterion.objects.filter(  # type: ignore[attr-defined]
        round_id=application.round_id
    ).order_by("position", "id")


def _reference() -> forms.CharField:
    # Required, but the method says so among the payment's other problems.
    return Text(
        label=gettext_lazy("Payment reference"), max_length=limits.REFERENCE, required=False
    )


class ApplicationFlowBase(Flow):
    """What every part of the application's flow shares: the state, the case, the meetings
    and whom to tell. ``ApplicationFlow`` is the flow; the parts are its base classes."""

    name = COUNCIL_FLOW
    # How the round form offers the flow (``GrantRound.flow``), and what it says of it.
    title: ClassVar[Any] = gettext_lazy("Council and committee")
    description: ClassVar[Any] = gettext_lazy(
        "The case officer screens, the council recommends at a meeting, the committee decides."
    )
    # The path's steps, for the receipt, the letters and the public call (cases.flow_paths).
    path: ClassVar[tuple[str, ...]] = steps_of(COUNCIL_FLOW)
    record_flow = COUNCIL_FLOW
    # The scheme a round must be of to follow this flow ("" for any).
    scheme: ClassVar[str] = ""
    model = Application
    states = ApplicationStatus
    state = STATE
    initial = S.DRAFT
    terminal = frozenset({S.REFUSED, S.INELIGIBLE, S.WITHDRAWN, S.CLOSED})
    pool_field = "round"

    def __init__(self, application: Application, *, actor: Any = None, role: str = "") -> None:
        super().__init__(application, actor=actor, role=role)
        self.application = application
        # The meeting ``prepare`` read for the engine's checks, if it did.
        self._meetings: dict[str, Meeting | None] = dict(
            getattr(application, "_prepared_meetings", {})
        )
        self._quorums: dict[int, dict[str, Any]] = {}

    @property
    def case(self) -> Application:
        return self.application

    @classmethod
    def lock(cls, subject: Any) -> Application:
        # The chain's head is read after this lock, not with it (trail.chain._head says why).
        found = LOCKED.objects(pk=subject.pk)
        if not found:
            raise Application.DoesNotExist("Application matching query does not exist.")
        return found[0]

    @classmethod
    def prepare(cls, subject: Any, transitions: list[fsm.Transition]) -> None:
        """Before the checks of a transition at a meeting (``custom["at_meeting"]``: the
        body): the meeting it is taken at by default, then in one statement its members
        present, its body's members and who is conflicted on the case, which the
        permission, the conditions and the quorum ask in turn (issue 19)."""
        body = next(
            (t.custom.get("at_meeting") for t in transitions if t.source == subject.status), None
        )
        if not body:
            return
        meeting = meetings.latest_meeting(subject, body)
        subject._prepared_meetings = {body: meeting}
        if meeting is not None:
            permissions.read_meeting_people(meeting, subject)

    @STATE.getter()
    def _get_status(self) -> str:
        return self.application.status

    @STATE.setter()
    def _set_status(self, value: str) -> None:
        self.application.status = value

    def latest_meeting(self, body: str) -> Meeting | None:
        if body not in self._meetings:
            self._meetings[body] = meetings.latest_meeting(self.application, body)
        return self._meetings[body]

    def quorum(self, meeting: Meeting) -> dict[str, Any]:
        if meeting.pk not in self._quorums:
            self._quorums[meeting.pk] = permissions.meeting_quorum(self.application, meeting)
        return self._quorums[meeting.pk]

    def _held_at(self, body: str, meeting: Meeting | None) -> Meeting:
        """The meeting given, checked as the conditions checked the latest one; or that one."""
        latest = self.latest_meeting(body)
        if meeting is None or (latest is not None and meeting.pk == latest.pk):
            if latest is None:  # the conditions have said so already
                raise ConditionsUnmet(meetings.not_on_agenda(self.application, body))
            return latest
        held_at = meetings.meeting_for(self.application, body, meeting)
        problem = meetings.meeting_problem(self, held_at)
        if problem:
            raise ConditionsUnmet(problem)
        return held_at

    def _tell_association(
        self, kind: str, *, legal: bool = False, letter: Document | None = None, **context: Any
    ) -> None:
        """Notify the association's users; a paper applicant also by its registered e-mail.
        A legal notice, and the ``letter`` the transition wrote, also go to the association's
        Digital Post (notifications/digital_post/)."""
        application = self.application
        notify(
            kind=kind,
            application=application,
            recipients=applicant_list(application),
            context=context,
            legal=legal,
            addresses=[application.association.email] if application.is_paper else (),
            letter=letter,
        )

    def _tell_case_officers(self, kind: str, **context: Any) -> None:
        notify(
            kind=kind,
            application=self.application,
            recipients=list(case_officers_of(self.application)),
            context=context,
            legal=False,
        )
