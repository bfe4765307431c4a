"""Issue 15, item 15: what the association is shown of its case's history, and who rules.

The scene: anna's application goes through the council and the committee. On the way
kirsten, a council member, declares a tie to the association (the reason carries a
marker that must never reach anna); erik, the council's chair, rules on it; erik records
an assessment (a vote) and the council's recommendation with the members present and
conflicted in its record; frida, the committee's chair, grants part of the amount.

anna then reads everything she can reach — the case page, her list, the API's detail,
list and trail, and every download — and finds the decision, the amount and the reasons
given to her, but no declaration, name in a conflict, presence, vote or hash. The staff
read the same case as before. A declaration is ruled on by the chair of the declaring
member's own body, on the screen and in the API alike (cases/permissions.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from cases.models import ConflictDeclaration, Document, Meeting, Role
from cases.roles import forget_profile
from cases.services.meetings import assessment_record, conflict_declare, conflict_rule
from cases.trail.models import TransitionRecord
from cases.trail.timeline import CASE_EVENT_LABELS
from workflows import engine

from ..conftest import NO_HEARING, _forget, advance, on_agenda
from ..factories import ApplicationFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

DECLARATION = "Markør-7Q3-min-svoger-er-kasserer"  # kirsten's reason: never for anna
RULING = "Markør-9K1-kendt-nær-relation"  # erik's ruling's reasons: never for anna
SCREENING = "Markør-2S5-intern-screeningsnote"  # carl's note on accepting: internal
COUNCIL_REASONS = "Rådet finder projektet godt, men puljen er lille"
DECISION_REASONS = "Udvalget bevilger 15.000 kr. af hensyn til puljens størrelse"
COUNCIL_NAME = "Frivillighedsrådet i Roskilde"
COMMITTEE_NAME = "Kultur- og Fritidsudvalget i Roskilde"


def api_client(user: Any) -> APIClient:
    cache.clear()  # the API's throttle history
    _token, key = ApiToken.issue(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    forget_profile(user)
    return client


@pytest.fixture
def case(world: SimpleNamespace) -> SimpleNamespace:
    world.roskilde.council_name = COUNCIL_NAME
    world.roskilde.committee_name = COMMITTEE_NAME
    world.roskilde.save()
    kirsten = UserFactory(username="kirsten", first_name="Kirsten", last_name="Hemmeligsen")
    give_role(kirsten, world.roskilde, Role.COUNCIL_MEMBER)
    application = ApplicationFactory(
        round=world.round, association=world.a, amount_requested=Decimal("25000")
    )
    application.focus_areas.set([world.focus])
    application = engine.perform(application, "submit", user=world.anna)
    application = engine.perform(application, "accept", user=world.carl, reason=SCREENING)
    _forget(world)
    meeting = on_agenda(application, world)
    meeting.members_present.add(kirsten)
    declaration = conflict_declare(application=application, member=kirsten, reason=DECLARATION)
    conflict_rule(
        declaration=declaration,
        acting_user=world.erik,
        conflicted=True,
        reason=RULING,
        meeting=meeting,
    )
    assessment_record(
        meeting=meeting,
        application=application,
        member=world.erik,
        outcome="partial",
        amount="15000",
        comment="Erik-vurdering",
    )
    application = engine.perform(
        application,
        "recommend",
        user=world.erik,
        outcome="partial",
        amount=Decimal("15000"),
        reason=COUNCIL_REASONS,
    )
    _forget(world)
    on_agenda(application, world)
    application = engine.perform(
        application,
        "decide",
        user=world.frida,
        outcome="grant",
        amount=Decimal("15000"),
        reason=DECISION_REASONS,
        **NO_HEARING,
    )
    recommend = TransitionRecord.objects.get(application=application, transition="recommend")
    # The scene holds what is to be kept from anna: presence, conflicts and votes.
    assert recommend.payload["present"] == [world.erik.pk]
    assert kirsten.pk in recommend.payload["conflicted"]
    assert recommend.payload["assessments"] == {"partial": 1}
    return SimpleNamespace(
        application=application, kirsten=kirsten, meeting=meeting, declaration=declaration
    )


def _text(response: Any) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.content.decode("utf-8", errors="replace")


def applicant_responses(world: SimpleNamespace, case: SimpleNamespace, client: Any) -> dict:
    """Everything anna can reach about her case, by name."""
    application = case.application
    client.force_login(world.anna)
    api = api_client(world.anna)
    base = f"/api/v1/applications/{application.pk}"
    responses = {
        "case page": _text(
            client.get(reverse("applications:application_detail", args=[application.pk]))
        ),
        "my applications": _text(client.get(reverse("applications:my_applications"))),
        "API detail": _text(api.get(base)),
        "API list": _text(api.get("/api/v1/applications")),
        "API trail": _text(api.get(f"{base}/trail")),
        "API transitions": _text(api.get(f"{base}/transitions")),
    }
    for document in Document.objects.filter(application=application):
        download = client.get(reverse("audit:document_download", args=[document.pk]))
        assert download.status_code == 200
        body = b"".join(download.streaming_content)
        responses[f"download {document.title}"] = body.decode("latin-1") + document.html
    return responses


NEVER_FOR_THE_APPLICANT = [
    ("the declaration's reason", DECLARATION),
    ("the ruling's reasons", RULING),
    ("the screening note", SCREENING),
    ("the declaring member's first name", "Kirsten"),
    ("the declaring member's surname", "Hemmeligsen"),
    ("the assessment's comment", "Erik-vurdering"),
    ("the presence list", '"present"'),
    ("the conflicted members", '"conflicted"'),
    ("the vote counts", '"assessments"'),
]


@pytest.mark.parametrize(
    ("what", "text"), NEVER_FOR_THE_APPLICANT, ids=[r[0] for r in NEVER_FOR_THE_APPLICANT]
)
def test_the_applicant_never_sees_the_bodies_internal_workings(
    world: SimpleNamespace, case: SimpleNamespace, client: Any, what: str, text: str
) -> None:
    responses = applicant_responses(world, case, client)
    assert len(responses) >= 7  # the pages above and the decision letter
    leaks = [name for name, body in responses.items() if text in body]
    assert leaks == [], f"{what} reaches the applicant in: {leaks}"


def test_the_applicant_gets_no_hash_of_the_chain(
    world: SimpleNamespace, case: SimpleNamespace, client: Any
) -> None:
    # A hash over a record whose only unknowns are a few small numbers (who was present,
    # the vote counts) gives them away to anyone who tries the combinations.
    responses = applicant_responses(world, case, client)
    hashes = TransitionRecord.objects.filter(application=case.application).values_list(
        "hash", flat=True
    )
    assert len(hashes) == 6
    assert [h for h in hashes for body in responses.values() if h in body] == []


def test_the_applicant_sees_the_decision_its_amount_reasons_and_who_decided(
    world: SimpleNamespace, case: SimpleNamespace, client: Any
) -> None:
    responses = applicant_responses(world, case, client)
    page = responses["case page"]
    for expected in (DECISION_REASONS, COUNCIL_REASONS, "15.000,00", COMMITTEE_NAME, COUNCIL_NAME):
        assert expected in page, expected
    # The case officer's name is on the decision letter's side of things too: shown.
    assert "Carl" in page

    trail = json.loads(responses["API trail"])["results"]
    steps = {r["transition"]: r for r in trail}
    assert list(steps) == ["submit", "accept", "recommend", "decide"]
    assert [r["seq"] for r in trail] == [1, 2, 3, 4]  # no gaps where internal events were
    decide = steps["decide"]
    assert decide["payload"]["outcome"] == "grant"
    assert Decimal(decide["payload"]["amount"]) == Decimal("15000")
    assert decide["reason"] == DECISION_REASONS
    assert (decide["actor_name"], decide["body"], decide["actor"]) == (
        COMMITTEE_NAME,
        "committee",
        None,
    )
    recommend = steps["recommend"]
    assert recommend["reason"] == COUNCIL_REASONS
    assert recommend["actor_name"] == COUNCIL_NAME
    assert set(recommend["payload"]) == {"outcome", "amount", "requested"}
    assert steps["accept"]["reason"] == ""  # the screening note is internal
    assert steps["accept"]["actor_name"].startswith("Carl")
    assert all(r["hash"] == r["prev_hash"] == "" for r in trail)

    detail = json.loads(responses["API detail"])
    assert (detail["status"], detail["decision_reasons"]) == ("granted", DECISION_REASONS)
    assert Decimal(detail["granted_amount"]) == Decimal("15000")


@pytest.mark.parametrize("who", ["carl", "gustav", "erik"])
def test_the_municipalitys_staff_still_read_the_whole_record(
    world: SimpleNamespace, case: SimpleNamespace, client: Any, who: str
) -> None:
    user = getattr(world, who)
    application = case.application
    client.force_login(user)
    page = _text(client.get(reverse("applications:application_detail", args=[application.pk])))
    assert DECLARATION in page and RULING in page and "Kirsten" in page
    assert SCREENING in page

    trail = json.loads(_text(api_client(user).get(f"/api/v1/applications/{application.pk}/trail")))
    records = trail["results"]
    stored = list(TransitionRecord.objects.filter(application=application).order_by("seq"))
    assert [(r["seq"], r["hash"]) for r in records] == [(s.seq, s.hash) for s in stored]
    steps = {r["transition"]: r for r in records}
    assert steps["declare_conflict"]["reason"] == DECLARATION
    assert steps["rule_conflict"]["reason"] == RULING
    assert steps["recommend"]["payload"]["present"] == [world.erik.pk]
    assert steps["recommend"]["payload"]["assessments"] == {"partial": 1}
    assert steps["recommend"]["actor"] == world.erik.pk


def test_the_applicant_is_still_refused_the_full_trail_and_the_case_export(
    world: SimpleNamespace, case: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.anna)
    pk = case.application.pk
    assert client.get(reverse("audit:application_trail", args=[pk])).status_code == 403
    assert client.get(reverse("audit:application_export", args=[pk])).status_code == 403


def test_every_step_of_every_flow_has_a_disclosure_rule() -> None:
    """A new transition or case event must be placed: shown (with which payload) or hidden."""
    from cases.trail.disclosure import HIDDEN, SHOWN_PAYLOAD, SHOWN_REASON

    named = set(SHOWN_PAYLOAD) | HIDDEN
    assert not set(SHOWN_PAYLOAD) & HIDDEN
    assert set(engine.TRANSITION_NAMES) | set(CASE_EVENT_LABELS) <= named
    assert set(SHOWN_REASON) <= set(SHOWN_PAYLOAD)


# --- who rules on a declared tie ---------------------------------------------------------


@pytest.fixture
def declarations(world: SimpleNamespace) -> SimpleNamespace:
    """A council member's and a committee member's declaration on bo's case."""
    kirsten = UserFactory(username="kirsten", first_name="Kirsten")
    give_role(kirsten, world.roskilde, Role.COUNCIL_MEMBER)
    kaj = UserFactory(username="kaj", first_name="Kaj")
    give_role(kaj, world.roskilde, Role.COMMITTEE_MEMBER)
    bos = ApplicationFactory(round=world.round, association=world.b)
    bos.focus_areas.set([world.focus])
    bos = engine.perform(bos, "submit", user=world.bo)
    declared = SimpleNamespace(
        council=conflict_declare(application=bos, member=kirsten, reason="Nabo"),
        committee=conflict_declare(application=bos, member=kaj, reason="Tidligere formand"),
    )
    # Issue 16: each body rules at a meeting with the case on its agenda.
    declared.application = advance(bos, world, "recommended")
    declared.meetings = {m.body: m for m in Meeting.objects.filter(round=world.round)}
    return declared


RULINGS = [
    # (whose declaration, who rules, allowed)
    ("council", "frida", False),  # the committee's chair, on a council member
    ("council", "erik", True),
    ("committee", "erik", False),  # the council's chair, on a committee member
    ("committee", "frida", True),
]


@pytest.mark.parametrize(("body", "chair", "allowed"), RULINGS)
def test_only_the_chair_of_the_members_body_rules_on_the_screen(
    world: SimpleNamespace,
    declarations: SimpleNamespace,
    client: Any,
    body: str,
    chair: str,
    allowed: bool,
) -> None:
    declaration = getattr(declarations, body)
    client.force_login(getattr(world, chair))
    url = reverse("council:conflict_rule", args=[declaration.pk])
    page = client.get(url)
    assert page.status_code == (200 if allowed else 403)
    meeting = declarations.meetings[body]
    response = client.post(url, {"conflicted": "yes", "reason": "Drøftet", "meeting": meeting.pk})
    assert response.status_code == (302 if allowed else 403)
    declaration.refresh_from_db()
    assert declaration.ruling == ("conflicted" if allowed else "pending")


@pytest.mark.parametrize(("body", "chair", "allowed"), RULINGS)
def test_only_the_chair_of_the_members_body_rules_in_the_api(
    world: SimpleNamespace, declarations: SimpleNamespace, body: str, chair: str, allowed: bool
) -> None:
    declaration = getattr(declarations, body)
    response = api_client(getattr(world, chair)).post(
        f"/api/v1/conflicts/{declaration.pk}/ruling",
        {"conflicted": False, "reason": "Drøftet", "meeting": declarations.meetings[body].pk},
        format="json",
    )
    declaration.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.json()
        assert response.json()["ruling"] == declaration.ruling == "not_conflicted"
        assert TransitionRecord.objects.filter(transition="rule_conflict").count() == 1
    else:
        assert response.status_code == 403
        detail = response.json()["detail"]
        council, committee = world.roskilde.council_name, world.roskilde.committee_name
        assert (council if body == "council" else committee) in detail
        assert declaration.ruling == "pending"
        assert not TransitionRecord.objects.filter(transition="rule_conflict").exists()


def test_the_api_ruling_checks_its_input_and_hides_other_municipalities(
    world: SimpleNamespace, declarations: SimpleNamespace
) -> None:
    url = f"/api/v1/conflicts/{declarations.council.pk}/ruling"
    erik = api_client(world.erik)
    bad = erik.post(url, {"conflicted": "maybe", "reason": ""}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"conflicted", "reason"}
    assert api_client(world.ivan).post(url, {"conflicted": True, "reason": "x"}).status_code == 404
    assert api_client(world.anna).post(url, {"conflicted": True, "reason": "x"}).status_code == 404
    assert ConflictDeclaration.objects.get(pk=declarations.council.pk).ruling == "pending"


def test_the_council_chairs_overview_offers_no_form_for_a_committee_members_declaration(
    world: SimpleNamespace, declarations: SimpleNamespace, client: Any
) -> None:
    meeting = declarations.meetings["council"]
    assert isinstance(meeting, Meeting)
    client.force_login(world.erik)
    page = _text(client.get(reverse("council:meeting_assessments", args=[meeting.pk])))
    assert reverse("council:conflict_rule", args=[declarations.council.pk]) in page
    assert reverse("council:conflict_rule", args=[declarations.committee.pk]) not in page


def test_a_member_who_has_left_both_bodies_is_ruled_on_by_no_chair(
    world: SimpleNamespace, declarations: SimpleNamespace
) -> None:
    from cases.models import StaffRole

    declaration = declarations.council
    StaffRole.objects.filter(user_id=declaration.member_id).delete()
    for chair in (world.erik, world.frida):
        response = api_client(chair).post(
            f"/api/v1/conflicts/{declaration.pk}/ruling",
            {"conflicted": True, "reason": "Drøftet"},
            format="json",
        )
        assert response.status_code == 403
        assert response.json()["detail"]
    assert ConflictDeclaration.objects.get(pk=declaration.pk).ruling == "pending"
