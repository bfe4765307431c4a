"""Helpers shared by the transition tests: reaching any state, and proving nothing changed.

``reach`` builds a state the way a case really gets there: the happy path through
``advance`` from conftest, and the off-path states by performing the real
transition that leads to them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import override

from cases.formatting import money
from cases.models import Application, ApplicationStatus
from cases.roles import forget_profile
from cases.trail.chain import verify_records
from cases.trail.models import TransitionRecord
from workflows import engine

from ..conftest import NO_HEARING, advance
from ..factories import ApplicationFactory

S = ApplicationStatus

CAST = ("anna", "bo", "carl", "dorte", "erik", "frida", "gustav", "helle", "ivan", "admin")

# Off-path states, reached by one real transition from a happy-path state.
OFF_PATH: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    S.INFO_REQUESTED: (S.SUBMITTED, "request_info", "carl", {"question": "Hvor mange frivillige?"}),
    S.INELIGIBLE: (
        S.SUBMITTED,
        "reject",
        "carl",
        {"reason": "Ikke frivilligt socialt arbejde", **NO_HEARING},
    ),
    S.WITHDRAWN: (S.SUBMITTED, "withdraw", "anna", {"reason": "Vi har fået midler andetsteds"}),
    S.REFUSED: (
        S.RECOMMENDED,
        "decide",
        "frida",
        {"outcome": "refuse", "reason": "Puljen er brugt", **NO_HEARING},
    ),
    S.IN_HEARING: (
        S.SUBMITTED,
        "start_hearing",
        "carl",
        {"facts": "Ifølge CVR-registret har foreningen ingen bestyrelse."},
    ),
}


def forget(world: SimpleNamespace) -> None:
    """Drop cached role profiles, after a test changes someone's roles or ties."""
    for value in vars(world).values():
        if isinstance(value, AbstractBaseUser):
            forget_profile(value)


def reach(application: Application, world: SimpleNamespace, status: str) -> Application:
    """Bring ``application`` (anna's draft for association A) to ``status`` by real transitions."""
    if status in OFF_PATH:
        before, name, actor, data = OFF_PATH[status]
        application = advance(application, world, before)
        application = engine.perform(application, name, user=getattr(world, actor), **data)
        forget(world)
    else:
        application = advance(application, world, status)
    assert application.status == status
    return application


def make_application(**fields: Any) -> Application:
    """A complete draft (ApplicationFactory), typed as what it builds."""
    return cast(Application, ApplicationFactory(**fields))


def paper_draft(world: SimpleNamespace, received_at: datetime) -> Application:
    """A complete paper application for association A, typed in by carl."""
    application = make_application(
        round=world.round, association=world.a, registered_by=world.carl, received_at=received_at
    )
    application.focus_areas.set([world.focus])
    return application


def snapshot(application: Application) -> dict[str, Any]:
    """Everything a refused transition must leave as it was, read from the database."""
    fresh = Application.objects.get(pk=application.pk)
    return {
        "row": {f.attname: getattr(fresh, f.attname) for f in Application._meta.concrete_fields},
        "records": list(
            TransitionRecord.objects.filter(application=fresh).values_list("seq", "hash")
        ),
        "history": fresh.history.count(),
        "payouts": fresh.payouts.count(),
        "usage_reports": fresh.usage_reports.count(),
    }


def records_of(application: Application) -> list[TransitionRecord]:
    return list(TransitionRecord.objects.filter(application=application).order_by("seq"))


def assert_recorded(
    application: Application,
    *,
    records_before: int,
    transition: str,
    from_state: str,
    to_state: str,
    actor: Any,
    role: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> TransitionRecord:
    """The transition left exactly one record, the chain holds, and the history names the actor."""
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.status == to_state
    records = records_of(fresh)
    assert len(records) == records_before + 1
    record = records[-1]
    assert record.flow == "application"
    assert (record.transition, record.from_state, record.to_state) == (
        transition,
        from_state,
        to_state,
    )
    assert (record.actor, record.role, record.reason) == (actor, role, reason)
    assert record.actor_name == f"{actor.get_full_name()} ({actor.username})"
    assert record.payload == {**(payload or {}), "_actor_id": actor.pk}
    assert verify_records(records) is None
    latest = fresh.history.first()
    assert latest is not None
    assert (latest.status, latest.history_user) == (to_state, actor)
    return record


def status_label(status: str) -> str:
    with override("en"):
        return str(S(status).label)


def action_label(name: str) -> str:
    with override("en"):
        return str(engine.transitions_of()[name][0].label)


def not_permitted_message(name: str) -> str:
    return f"You are not allowed to take the action “{action_label(name)}” on this application."


def not_possible_message(name: str, status: str) -> str:
    return (
        f"“{action_label(name)}” is not possible while the application is “{status_label(status)}”."
    )


def kr(value: object) -> str:
    """An amount as the flow's English messages show it (cases.formatting.money)."""
    with override("en"):
        return money(Decimal(str(value)))


ENTER_AMOUNT = "Enter an amount in kroner, e.g. 12500."
NEGATIVE_AMOUNT = "The amount cannot be negative."
