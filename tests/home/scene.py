"""A round with work for every role, grown to any number of cases.

``work(world)`` drives a handful of cases through the flow (so the transition records,
meetings, hearings, payouts and claims are real); ``grow(world, n)`` then adds cases in
every state until the round holds ``n``, for the query-count tests.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from cases.models import Application, ApplicationStatus, Body
from cases.services.meetings import agenda_add, meeting_create
from tests.conftest import _forget, advance
from tests.factories import ApplicationFactory
from workflows.engine import perform

FACTS = "Ifølge CVR-registret har foreningen ingen bestyrelse."


def case(world: SimpleNamespace, to: str, association: Any = None, **kwargs: Any) -> Any:
    application = ApplicationFactory(
        round=world.round, association=association or world.a, **kwargs
    )
    application.focus_areas.set([world.focus])
    return advance(application, world, to)


def coming_meetings(world: SimpleNamespace) -> SimpleNamespace:
    """A council and a committee meeting next month, dorte and erik present at the council."""
    day = datetime.date.today() + datetime.timedelta(days=30)
    council = meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=day,
        members_present=[world.dorte, world.erik],
        acting_user=world.carl,
    )
    committee = meeting_create(
        grant_round=world.round,
        body=Body.COMMITTEE,
        date=day + datetime.timedelta(days=14),
        members_present=[world.frida],
        acting_user=world.carl,
    )
    return SimpleNamespace(council=council, committee=committee)


def work(world: SimpleNamespace) -> SimpleNamespace:
    """One case in each state that asks something of someone.

    The cases past the council go first: advance() puts them on past meetings it makes
    (a decision cannot be recorded before its meeting's day); then the coming meetings
    get the cases that wait for them."""
    scene = SimpleNamespace()
    scene.paid = case(world, "paid")
    scene.reported = case(world, "report_submitted")
    scene.draft = ApplicationFactory(round=world.round, association=world.a)
    scene.submitted = case(world, "submitted")
    scene.asked = perform(
        case(world, "submitted"), "request_info", user=world.carl, question="Hvor mange?"
    )
    answered = perform(case(world, "submitted"), "request_info", user=world.carl, question="Hvem?")
    scene.answered = perform(answered, "provide_info", user=world.anna, answer="Alle")
    scene.heard = perform(
        case(world, "submitted"),
        "start_hearing",
        user=world.carl,
        facts=FACTS,
        deadline=datetime.date.today() + datetime.timedelta(days=5),
    )
    scene.meetings = meetings = coming_meetings(world)
    scene.review = case(world, "in_council_review")
    agenda_add(meeting=meetings.council, applications=[scene.review], acting_user=world.carl)
    scene.recommended = case(world, "recommended")
    agenda_add(meeting=meetings.committee, applications=[scene.recommended], acting_user=world.carl)
    _forget(world)
    return scene


def grow(world: SimpleNamespace, n: int) -> None:
    """Pad the round (and association B's share of it) to ``n`` cases in every state.

    Made directly, not through the flow: the query counts depend on the number of rows,
    not on how they came there, and 300 flows would take minutes."""
    statuses = itertools.cycle(ApplicationStatus.values)
    associations = itertools.cycle([world.a, world.b])
    while Application.objects.filter(round=world.round).count() < n:
        status = next(statuses)
        ApplicationFactory(
            round=world.round,
            association=next(associations),
            status=status,
            complete=False,
            recommended_amount=Decimal("1000") if status == "recommended" else None,
            granted_amount=Decimal("1000") if status in ("granted", "paid") else None,
            case_officer=world.carl if status == "submitted" else None,
        )
