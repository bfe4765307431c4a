"""Running a transition of any registered flow: lock, check, call, record — in one transaction.

viewflow.fsm checks the source state and the conditions when a transition method is
called, but not the permission. ``take`` (and ``perform``, its form for applications)
is the only entry point the screens and the API use, and it checks in this order:

1. the subject has not moved on since the user loaded it (row locked first; for a
   transition that spends from a pool, the pool's row before it); then the flow reads
   ahead what the checks below ask, where it can do so in fewer statements
   (``Flow.prepare``: a meeting's people and the conflicted, for a transition at a
   meeting); the checks themselves are unchanged;
2. the transition exists from the current state (else 409, or 403 if the
   user could never take it);
3. the user may take it (403), in which role;
4. the conditions hold (400), then the input is valid (400): the transition's form;
5. the method runs with the typed values and records what it did.

Flows register here (``register``); the charts (``chart.py``, ``manage.py flow_chart``)
draw every registered flow. An application follows the flow its round names
(``GrantRound.flow``, ``flow_for``): a flow of ``Application`` registered here is one a round
can choose, with no other change to this module (docs/flows.md).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow import fsm

from cases.errors import (
    CaseMovedOn,
    ConditionsUnmet,
    InvalidInput,
    TransitionNotPermitted,
    TransitionNotPossible,
)
from cases.flow_paths import register_path
from cases.models import Application
from workflows.access_request import AccessRequestFlow
from workflows.application import ApplicationFlow
from workflows.flow import Flow
from workflows.inputs import TransitionInput
from workflows.older_people import OlderPeopleFlow
from workflows.quick_pool import QuickPoolFlow
from workflows.rules import refusal
from workflows.usage_report import UsageReportFlow

FLOWS: dict[str, type[Flow]] = {}


def register(flow_class: type[Flow]) -> type[Flow]:
    FLOWS[flow_class.name] = flow_class
    if is_application_flow(flow_class):
        # The domain reads the path (receipt, letters, public call) without the flows.
        register_path(flow_class.name, flow_class.path)  # type: ignore[attr-defined]
    spenders = [name for name in transitions_of(flow_class) if spends_pool(name, flow_class)]
    if spenders and not flow_class.pool_field:
        raise ImproperlyConfigured(
            f"{flow_class.__name__}: {', '.join(spenders)} spend from a pool; set pool_field."
        )
    return flow_class


def is_application_flow(flow_class: type[Flow]) -> bool:
    """A flow of an application: one a round can choose."""
    return issubclass(flow_class.model, Application)


def application_flows() -> dict[str, type[Flow]]:
    """The flows a round can choose, by name, in the order registered."""
    return {name: flow for name, flow in FLOWS.items() if is_application_flow(flow)}


def flow_for(application: Application) -> type[Flow]:
    """The flow ``application`` follows: its round's (``GrantRound.flow``).

    Reads the round the application holds (select_related where a page lists many); a
    round naming no registered flow is a configuration error, not the applicant's.
    """
    name = application.round.flow
    flow_class = FLOWS.get(name)
    if flow_class is None or not is_application_flow(flow_class):
        raise ImproperlyConfigured(
            f"Round {application.round_id} names no application flow {name!r}."
        )
    return flow_class


_TRANSITIONS: dict[str, dict[str, list[fsm.Transition]]] = {}


def transitions_of(flow_class: type[Flow] = ApplicationFlow) -> dict[str, list[fsm.Transition]]:
    """Transition name -> its Transition objects (one per source state)."""
    if flow_class.name not in _TRANSITIONS:
        _TRANSITIONS[flow_class.name] = {
            method.slug: list(transitions)
            for method, transitions in flow_class.state.get_transitions().items()
        }
    return _TRANSITIONS[flow_class.name]


def spends_pool(name: str, flow_class: type[Flow] = ApplicationFlow) -> bool:
    """Does transition ``name`` spend from a pool (``custom["spends_pool"]``)?

    Such a transition checks what the pool has left and then spends it; the engine
    locks the pool's row first (``Flow.lock_pool``), so two of them cannot both pass
    the check on the same remainder.
    """
    return any(t.custom.get("spends_pool") for t in transitions_of(flow_class).get(name, ()))


register(ApplicationFlow)
register(QuickPoolFlow)
register(OlderPeopleFlow)
register(UsageReportFlow)
register(AccessRequestFlow)


def application_transition_names() -> frozenset[str]:
    """Every transition any application flow has (the API's names; a flow registered later,
    a test's, say, is included when asked after it)."""
    return frozenset(name for flow in application_flows().values() for name in transitions_of(flow))


TRANSITION_NAMES = application_transition_names()


def flow_with(name: str, flow_class: type[Flow] | None = None) -> type[Flow]:
    """``flow_class`` when it has transition ``name``; else the first application flow that
    has it (a name's form and label are the same in every flow); else ``flow_class``."""
    if flow_class is not None and name in transitions_of(flow_class):
        return flow_class
    found = next((f for f in application_flows().values() if name in transitions_of(f)), None)
    return found or flow_class or ApplicationFlow


def input_form(name: str, flow_class: type[Flow] | None = None) -> type[TransitionInput]:
    """The form transition ``name`` takes its input with (``custom["form"]``)."""
    flow_class = flow_with(name, flow_class)
    form: type[TransitionInput] = transitions_of(flow_class)[name][0].custom.get(
        "form", TransitionInput
    )
    return form


def _label(name: str, flow_class: type[Flow] | None = None) -> str:
    return str(transitions_of(flow_with(name, flow_class))[name][0].label)


def _status_label(flow_class: type[Flow], status: str) -> str:
    return str(flow_class.states(status).label)


def available_transitions(application: Application, user: Any) -> list[fsm.Transition]:
    """What this user may do to this application now; conditions are checked on the attempt.

    Costs no queries beyond the permission rules: for pages that list many cases.
    """
    flow_class = flow_for(application)
    flow = flow_class(application)
    return [
        t
        for t in flow_class.state.get_outgoing_transitions(application.status)
        if t.has_perm(flow, user)
    ]


def _possible(application: Application, user: Any, transition: fsm.Transition) -> bool:
    flow_class = flow_for(application)
    role = transition.has_perm(flow_class(application), user)
    flow = flow_class(application, actor=user, role=str(role))
    return bool(role) and transition.conditions_met(flow)


def possible_transitions(application: Application, user: Any) -> list[fsm.Transition]:
    """What this user can do to this application now: permitted, and every condition holds.

    Evaluates the conditions (deadline, completeness, the meeting, presence, quorum,
    an outstanding claim), which costs queries: for one case's page, not for lists.
    """
    return [
        t
        for t in flow_for(application).state.get_outgoing_transitions(application.status)
        if _possible(application, user, t)
    ]


def offered_transitions(application: Application, user: Any) -> list[fsm.Transition]:
    """The actions a case's page offers: what the user may take, and a transition marked
    ``custom["offer_when_possible"]`` only while its conditions hold (for one case only)."""
    return [
        t
        for t in available_transitions(application, user)
        if not t.custom.get("offer_when_possible") or _possible(application, user, t)
    ]


def unmet_condition(application: Application, name: str, user: Any) -> str:
    """Why ``user``, who may take ``name`` from the case's state, cannot take it now ("" when
    they can, or when they may not take it at all). For one case's page: it costs queries."""
    flow_class = flow_for(application)
    transition = next(
        (t for t in transitions_of(flow_class).get(name, ()) if t.source == application.status),
        None,
    )
    role = transition.has_perm(flow_class(application), user) if transition else None
    if transition is None or not role:
        return ""
    unmet = transition.get_unmet_condition(flow_class(application, actor=user, role=str(role)))
    if unmet is None:
        return ""
    return str(getattr(unmet[1], "message", "") or _label(name))


def may_take(application: Application, name: str, user: Any) -> bool:
    """Could this user take transition ``name`` on this application in some state?

    A screen asks before it validates the transition's input, so that someone who may
    not act at all is refused as such (403), not shown the input's errors.
    """
    flow_class = flow_for(application)
    flow = flow_class(application)
    return any(t.has_perm(flow, user) for t in transitions_of(flow_class).get(name, ()))


def refusal_message(application: Application, name: str, user: Any) -> str:
    """Why ``user`` may not take ``name``: disqualified (fvl. § 3), or not permitted at all."""
    flow_class = flow_for(application)
    flow = flow_class(application)
    for transition in transitions_of(flow_class).get(name, ()):
        message = refusal(transition.permission, flow, user)
        if message:
            return message
    return not_permitted_message(name, flow_class)


def not_permitted_message(name: str, flow_class: type[Flow] = ApplicationFlow) -> str:
    return flow_class.not_permitted_message(_label(name, flow_class))


def perform(
    application: Application,
    name: str,
    *,
    user: Any,
    seen_status: str | None = None,
    seen_version: int | None = None,
    **data: Any,
) -> Application:
    """Run transition ``name`` of the application's flow (``flow_for``) on ``application`` as
    ``user``; returns the updated application.

    ``application.status`` and ``application.version`` are taken as what the user
    saw: if the case moved on meanwhile (even away and back to the same state),
    ``CaseMovedOn`` is raised and nothing changes.
    """
    locked: Application = take(
        flow_for(application),
        application,
        name,
        user=user,
        seen_status=seen_status,
        seen_version=seen_version,
        **data,
    )
    return locked


def take(
    flow_class: type[Flow],
    subject: Any,
    name: str,
    *,
    user: Any,
    seen_status: str | None = None,
    seen_version: int | None = None,
    **data: Any,
) -> Any:
    """Run transition ``name`` of ``flow_class`` on ``subject`` as ``user``: the generic form.

    ``data`` is the caller's input, validated with the transition's form after the
    permission and the conditions; returns the subject as locked and changed.
    """
    transitions = transitions_of(flow_class).get(name)
    if not transitions:
        if is_application_flow(flow_class) and name in application_transition_names():
            # Another flow's action (a quick pool's decision on a committee's case): nobody
            # may take it here, as nobody could before the flows were apart.
            raise TransitionNotPermitted(not_permitted_message(name, flow_class))
        raise TransitionNotPossible(_("There is no action called “%(name)s”.") % {"name": name})
    # A page passes what it showed the user; otherwise the object's own state counts.
    if seen_status is None:
        seen_status = getattr(subject, flow_class.status_field)
    if seen_version is None:
        seen_version = getattr(subject, "version", None)
    with transaction.atomic():
        if spends_pool(name, flow_class):
            # The pool before the subject: the lock order bulk.bulk_record keeps too.
            flow_class.lock_pool(flow_class.pool_of(subject))
        locked = flow_class.lock(subject)
        status = getattr(locked, flow_class.status_field)
        if status != seen_status or getattr(locked, "version", None) != seen_version:
            raise CaseMovedOn(flow_class.moved_on_message(_status_label(flow_class, status)))
        flow_class.prepare(locked, transitions)
        flow = _check(flow_class, locked, name, transitions, user)
        form = input_form(name, flow_class)(data=data, flow=flow)
        if not form.is_valid():
            raise InvalidInput(
                {field: [str(m) for m in errors] for field, errors in form.errors.items()}
            )
        try:
            flow.take(name, **form.cleaned_data)
        except fsm.TransitionConditionsUnmet as unmet:
            raise ConditionsUnmet(unmet.unmet_message or _label(name, flow_class)) from None
    return locked


def _check(
    flow_class: type[Flow], locked: Any, name: str, transitions: list[fsm.Transition], user: Any
) -> Flow:
    """The flow, made for ``user`` in their role, once the transition is possible for them."""
    probe = flow_class(locked)
    status = getattr(locked, flow_class.status_field)
    transition = next((t for t in transitions if t.source == status), None)
    if transition is None:
        if not any(t.has_perm(probe, user) for t in transitions):
            raise TransitionNotPermitted(
                refusal(transitions[0].permission, probe, user)
                or not_permitted_message(name, flow_class)
            )
        raise TransitionNotPossible(
            flow_class.not_possible_message(
                name, _label(name, flow_class), _status_label(flow_class, status)
            )
        )
    role = transition.has_perm(probe, user)
    if not role:
        # Disqualified (fvl. § 3): say so, and that someone else must act.
        raise TransitionNotPermitted(
            refusal(transition.permission, probe, user) or not_permitted_message(name, flow_class)
        )
    flow = flow_class(locked, actor=user, role=str(role))
    unmet = transition.get_unmet_condition(flow)
    if unmet is not None:
        # A condition may name its own refusal (``error``): one that is about the subject's
        # state rather than the input, say, is "not possible" (409).
        error = getattr(unmet[0], "error", ConditionsUnmet)
        raise error(getattr(unmet[1], "message", "") or _label(name, flow_class))
    return flow
