# ruff: noqa: F811  (the API's client fixture, imported below, is a parameter of the tests)
"""Disqualification for everyone who acts on a case (forvaltningsloven §§ 3 and 6, issue 16).

carl (case officer), erik (council chair) and frida (committee chair) declare a tie to
association A; each is then refused every action on A's case, on the screen and through
the API, with words saying why and that another must act; another person of the same role
can act. A member's tie is ruled on by the body at a meeting without them; a case
officer's by mette, the manager.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import override

from cases import disqualification, permissions
from cases.models import Application, Body, ConflictDeclaration, Meeting, Role
from cases.services.meetings import agenda_add, conflict_declare, conflict_rule, meeting_create
from cases.trail.models import TransitionRecord
from workflows import engine

from ..api.conftest import _fresh_throttles, api  # noqa: F401
from ..conftest import NO_HEARING, advance
from ..factories import ApplicationFactory, UserFactory, give_role, tie
from ..workflows.support import forget

pytestmark = pytest.mark.django_db

SHORT = "You are disqualified in this case (forvaltningsloven § 3)"


@pytest.fixture
def mette(world: SimpleNamespace) -> Any:
    """mette, the case officers' manager in Roskilde."""
    user = UserFactory(username="mette", first_name="Mette")
    give_role(user, world.roskilde, Role.MANAGER)
    return user


@pytest.fixture
def kim(world: SimpleNamespace) -> Any:
    """kim, a member of Roskilde's committee."""
    user = UserFactory(username="kim", first_name="Kim")
    give_role(user, world.roskilde, Role.COMMITTEE_MEMBER)
    return user


def _quick_pool(world: SimpleNamespace) -> None:
    world.round.flow = "quick_pool"
    world.round.save()


# (who, transition, the state the case is in, valid input)
ACTIONS = [
    ("carl", "request_info", "submitted", {"question": "Hvor mange frivillige?"}),
    ("carl", "accept", "submitted", {}),
    ("carl", "reject", "submitted", {"reason": "Ikke socialt arbejde"}),
    ("carl", "decide_directly", "submitted", {"outcome": "refuse", "reason": "Puljen er brugt"}),
    ("carl", "pay", "granted", {"amount": "20000", "reference": "UDB-1"}),
    ("erik", "recommend", "in_council_review", {"outcome": "grant"}),
    ("frida", "decide", "recommended", {"outcome": "grant", "amount": "20000", "reason": "OK"}),
    ("frida", "send_back", "recommended", {"reason": "Se på budgettet"}),
]
IDS = [f"{who}-{name}" for who, name, _status, _data in ACTIONS]
MUST_ACT = {
    "carl": "another case officer must act",
    "erik": "another chair of the council must act",
    "frida": "another chair of the committee must act",
}


def _case(world: SimpleNamespace, draft: Application, name: str, status: str) -> Application:
    if name == "decide_directly":
        _quick_pool(world)
    return advance(draft, world, status)


def _declared(world: SimpleNamespace, application: Application, who: Any) -> ConflictDeclaration:
    member = getattr(world, who) if isinstance(who, str) else who
    declaration = conflict_declare(
        application=application, member=member, reason="Min søster er formand"
    )
    forget(world)
    return declaration


@pytest.mark.parametrize(("who", "name", "status", "data"), ACTIONS, ids=IDS)
def test_a_disqualified_person_is_refused_on_the_screen_and_not_offered_the_action(
    world: SimpleNamespace,
    draft: Application,
    as_user: Any,
    who: str,
    name: str,
    status: str,
    data: dict[str, Any],
) -> None:
    application = _case(world, draft, name, status)
    client = as_user(getattr(world, who))
    page = client.get(
        reverse("applications:application_detail", args=[application.pk])
    ).content.decode()
    assert f'data-action="{name}"' in page  # offered before the declaration
    _declared(world, application, who)

    page = client.get(
        reverse("applications:application_detail", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f'data-action="{name}"' not in page
    assert SHORT in page and MUST_ACT[who] in page
    response = client.post(
        reverse("applications:application_act", args=[application.pk, name]),
        {**data, "seen_status": application.status, "seen_version": application.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert SHORT in response.content.decode() and MUST_ACT[who] in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == status


@pytest.mark.parametrize(("who", "name", "status", "data"), ACTIONS, ids=IDS)
def test_a_disqualified_person_is_refused_through_the_api(
    world: SimpleNamespace,
    draft: Application,
    api: Any,
    who: str,
    name: str,
    status: str,
    data: dict[str, Any],
) -> None:
    application = _case(world, draft, name, status)
    _declared(world, application, who)
    client = api(getattr(world, who))
    offered = client.get(f"/api/v1/applications/{application.pk}/transitions").json()
    assert name not in [t["name"] for t in offered]
    response = client.post(
        f"/api/v1/applications/{application.pk}/transitions/{name}",
        data,
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert SHORT in str(response.json()) and MUST_ACT[who] in str(response.json())
    assert Application.objects.get(pk=application.pk).status == status


def test_another_case_officer_acts_when_one_is_disqualified(
    world: SimpleNamespace, draft: Application
) -> None:
    submitted = advance(draft, world, "submitted")
    _declared(world, submitted, "carl")
    cecilie = UserFactory(username="cecilie", first_name="Cecilie")
    give_role(cecilie, world.roskilde, Role.CASE_OFFICER)
    accepted = engine.perform(submitted, "accept", user=cecilie)
    assert accepted.status == "in_council_review"
    record = TransitionRecord.objects.filter(application=accepted).order_by("seq").last()
    assert (record.transition, record.actor) == ("accept", cecilie)


def test_another_committee_chair_decides_when_one_is_disqualified(
    world: SimpleNamespace, draft: Application
) -> None:
    recommended = advance(draft, world, "recommended")
    _declared(world, recommended, "frida")
    vice = UserFactory(username="vagn", first_name="Vagn")
    give_role(vice, world.roskilde, Role.COMMITTEE_CHAIR)
    Meeting.objects.get(round=world.round, body=Body.COMMITTEE).members_present.add(vice)
    decided = engine.perform(
        recommended,
        "decide",
        user=vice,
        outcome="grant",
        amount="20000",
        reason="Som indstillet",
        **NO_HEARING,
    )
    assert decided.status == "granted"


def test_the_case_waits_visibly_when_the_only_case_officer_is_disqualified(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    submitted = advance(draft, world, "submitted")
    waiting = "Waiting: the case officer is disqualified"
    detail = reverse("applications:application_detail", args=[submitted.pk])
    inbox = reverse("inbox:round_inbox", args=[world.round.pk])
    client = as_user(world.gustav)
    assert waiting not in client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert waiting not in client.get(inbox, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    _declared(world, submitted, "carl")
    assert 'id="waiting"' in client.get(detail).content.decode()
    assert waiting in client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert waiting in client.get(inbox, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # A second case officer: the case no longer waits.
    give_role(UserFactory(username="cecilie"), world.roskilde, Role.CASE_OFFICER)
    assert waiting not in client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert waiting not in client.get(inbox, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_board_or_representation_tie_flags_a_case_officer_and_a_committee_member(
    world: SimpleNamespace, draft: Application, kim: Any
) -> None:
    submitted = advance(draft, world, "submitted")
    assert not permissions.is_conflicted(world.carl, submitted)
    tie(world.carl, world.a, represents=False, board=True)
    tie(kim, world.a, represents=True, board=False)
    permissions.forget_conflicts(submitted)
    forget(world)
    assert permissions.is_conflicted(world.carl, submitted)
    assert permissions.is_conflicted(kim, submitted)
    with override("en"):
        assert disqualification.disqualification_refusal(world.carl, submitted).startswith(SHORT)
        assert disqualification.disqualification_refusal(kim, submitted).startswith(SHORT)
    assert "accept" not in [t.slug for t in engine.available_transitions(submitted, world.carl)]
    # A board tie is not a declaration: there is nothing to rule away.
    assert not ConflictDeclaration.objects.exists()


# --- the body's ruling, without the member concerned ---------------------------------------


def _committee(world: SimpleNamespace, application: Application, present: list[Any]) -> Meeting:
    meeting = meeting_create(
        grant_round=world.round,
        body=Body.COMMITTEE,
        date=datetime.date(2027, 3, 1),
        members_present=present,
        acting_user=world.carl,
    )
    agenda_add(meeting=meeting, applications=[application], acting_user=world.carl)
    return meeting


def test_the_committee_rules_on_its_members_tie_without_the_member(
    world: SimpleNamespace, draft: Application, kim: Any, as_user: Any
) -> None:
    recommended = advance(draft, world, "recommended")
    meeting = _committee(world, recommended, [world.frida, kim])
    declaration = _declared(world, recommended, kim)
    assert declaration.role == Role.COMMITTEE_MEMBER
    url = reverse("council:conflict_rule", args=[declaration.pk])
    data = {"meeting": meeting.pk, "conflicted": "no", "reason": "Fjern bekendt"}

    # kim, the member concerned, can neither take part nor record it.
    assert as_user(kim).post(url, data).status_code == 403
    # The chair records the committee's ruling; the participants are those present, less kim.
    response = as_user(world.frida).post(url, data)
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert (declaration.ruling, declaration.ruled_by) == ("not_conflicted", world.frida)
    assert declaration.ruling_meeting == meeting
    assert list(declaration.ruling_participants.all()) == [world.frida]
    record = TransitionRecord.objects.filter(application=recommended).order_by("seq").last()
    assert record.transition == "rule_conflict"
    assert record.payload["participants"] == [world.frida.pk]
    assert record.payload["meeting"] == meeting.pk
    assert record.payload["ruled_by"] == "committee"

    minutes = as_user(world.gustav).get(
        reverse("meetings:meeting_minutes", args=[meeting.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = minutes.content.decode()
    assert 'id="minutes-rulings"' in text
    section = text[text.index('id="minutes-rulings"') :]
    assert "Taking part: Frida" in section and "Kim" in section
    assert "Fjern bekendt" in section


def test_the_body_must_be_quorate_without_the_member_concerned(
    world: SimpleNamespace, draft: Application, kim: Any, api: Any
) -> None:
    recommended = advance(draft, world, "recommended")
    lars = UserFactory(username="lars", first_name="Lars")
    give_role(lars, world.roskilde, Role.COMMITTEE_MEMBER)
    # The committee less kim is frida and lars: two needed. kim and frida are present.
    meeting = _committee(world, recommended, [kim, world.frida])
    declaration = _declared(world, recommended, kim)
    url = f"/api/v1/conflicts/{declaration.pk}/ruling"
    response = api(world.frida).post(
        url,
        {"meeting": meeting.pk, "conflicted": False, "reason": "x"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not quorate without the member concerned" in str(response.json())
    # Without a meeting the body cannot rule at all.
    response = api(world.frida).post(url, {"conflicted": False, "reason": "x"}, format="json")
    assert response.status_code == 400
    declaration.refresh_from_db()
    assert declaration.ruling == "pending"
    # With lars present the committee less kim is quorate; the ruling goes through.
    meeting.members_present.add(lars)
    response = api(world.frida).post(
        url, {"meeting": meeting.pk, "conflicted": True, "reason": "Nær relation"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ruling"], body["ruling_meeting"], body["ruling_participants"]) == (
        "conflicted",
        meeting.pk,
        sorted([world.frida.pk, lars.pk]),
    )


# --- the manager rules on a case officer's tie -----------------------------------------------


def test_the_manager_rules_on_a_case_officers_tie_and_a_non_manager_cannot(
    world: SimpleNamespace, draft: Application, mette: Any, api: Any, as_user: Any
) -> None:
    submitted = advance(draft, world, "submitted")
    declaration = _declared(world, submitted, "carl")
    assert declaration.role == Role.CASE_OFFICER
    url = f"/api/v1/conflicts/{declaration.pk}/ruling"
    data = {"conflicted": False, "reason": "Søsteren er udtrådt"}

    # erik, the council's chair, and carl himself may not rule on it.
    for who in (world.erik, world.carl):
        refused = api(who).post(url, data, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 403
    refused = api(world.erik).post(url, data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "manager" in str(refused.json())
    declaration.refresh_from_db()
    assert declaration.ruling == "pending"

    # mette sees it on her list and rules on it on the screen.
    page = as_user(mette).get(reverse("council:manager_conflicts")).content.decode()
    assert reverse("council:conflict_rule", args=[declaration.pk]) in page
    assert 'name="meeting"' not in (
        as_user(mette).get(reverse("council:conflict_rule", args=[declaration.pk])).content.decode()
    )
    response = as_user(mette).post(
        reverse("council:conflict_rule", args=[declaration.pk]),
        {"conflicted": "no", "reason": "Søsteren er udtrådt"},
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert (declaration.ruling, declaration.ruled_by) == ("not_conflicted", mette)
    record = TransitionRecord.objects.filter(application=submitted).order_by("seq").last()
    assert (record.transition, record.role, record.payload["ruled_by"]) == (
        "rule_conflict",
        "manager",
        "manager",
    )
    # carl may act again.
    forget(world)
    submitted.refresh_from_db()
    assert engine.perform(submitted, "accept", user=world.carl).status == "in_council_review"


def test_only_managers_see_the_list_of_case_officers_ties(
    world: SimpleNamespace, as_user: Any
) -> None:
    assert as_user(world.carl).get(reverse("council:manager_conflicts")).status_code == 403


def test_a_ruling_on_another_municipalitys_declaration_is_not_found(
    world: SimpleNamespace, draft: Application, api: Any, as_user: Any
) -> None:
    submitted = advance(draft, world, "submitted")
    declaration = _declared(world, submitted, "carl")
    nora = UserFactory(username="nora")
    give_role(nora, world.naestved, Role.MANAGER)
    data = {"conflicted": False, "reason": "x"}
    assert api(nora).post(
        f"/api/v1/conflicts/{declaration.pk}/ruling", data, format="json"
    ).status_code == (404)
    assert (
        as_user(nora)
        .post(
            reverse("council:conflict_rule", args=[declaration.pk]),
            {"conflicted": "no", "reason": "x"},
        )
        .status_code
        == 404
    )


def test_a_ruling_without_reasons_is_refused(
    world: SimpleNamespace, draft: Application, mette: Any, api: Any, as_user: Any
) -> None:
    submitted = advance(draft, world, "submitted")
    declaration = _declared(world, submitted, "carl")
    response = api(mette).post(
        f"/api/v1/conflicts/{declaration.pk}/ruling", {"conflicted": True}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json().get("errors", response.json())
    screen = as_user(mette).post(
        reverse("council:conflict_rule", args=[declaration.pk]), {"conflicted": "yes", "reason": ""}
    )
    assert screen.status_code == 400
    assert f'id="r{declaration.pk}-reason-error"' in screen.content.decode()
    declaration.refresh_from_db()
    assert declaration.ruling == "pending"


def test_the_declarations_of_a_case_are_listed_and_declared_through_the_api(
    world: SimpleNamespace, draft: Application, api: Any, kim: Any
) -> None:
    submitted = advance(draft, world, "submitted")
    created = api(world.carl).post(
        f"/api/v1/applications/{submitted.pk}/conflicts",
        {"reason": "Min bror er kasserer"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["role"] == "case_officer"
    missing = api(kim).post(
        f"/api/v1/applications/{submitted.pk}/conflicts", {"reason": ""}, format="json"
    )
    assert missing.status_code == 400
    listed = api(world.gustav).get(f"/api/v1/applications/{submitted.pk}/conflicts").json()
    assert [(d["member"], d["ruling"]) for d in listed] == [(world.carl.pk, "pending")]
    assert api(world.anna).get(f"/api/v1/applications/{submitted.pk}/conflicts").status_code == 403


def test_the_schema_describes_declaring_listing_and_ruling(
    api: Any, world: SimpleNamespace
) -> None:
    schema = api(world.carl).get("/api/v1/schema")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/applications/{id}/conflicts:" in text
    section = text[text.index("/api/v1/applications/{id}/conflicts:") :]
    assert "get:" in section[:3000] and "post:" in section[:3000]
    assert "ruling_participants" in text and "ruling_meeting" in text


def test_the_managers_list_costs_the_same_queries_for_1_and_6_ties(
    world: SimpleNamespace, draft: Application, mette: Any, as_user: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(mette)
    url = reverse("council:manager_conflicts")

    def count() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    def declared_on_a_new_case(ruled: bool = False) -> ConflictDeclaration:
        application = ApplicationFactory(round=world.round, association=world.b)
        application.focus_areas.set([world.focus])
        application = engine.perform(application, "submit", user=world.bo)
        declaration = _declared(world, application, "carl")
        if ruled:
            conflict_rule(
                declaration=declaration,
                acting_user=mette,
                conflicted=False,
                reason="Søsteren er udtrådt",
            )
        return declaration

    declared_on_a_new_case()
    client.get(url)  # the session and the profile settle on the first visit
    one = count()
    for n in range(5):
        declared_on_a_new_case(ruled=bool(n % 2))  # pending and ruled: both lists
    page = client.get(url).content.decode()
    assert page.count("data-declaration=") == 6

    six = count()

    # session, user, mette's roles and ties, the unread-notifications count in the header,
    # and the declarations with their cases, associations, members and rulers (one join)
    assert len(six) == len(one), "\n".join(six)
