"""The request for access to documents' own flow (workflows/access_request.py): extend,
decide and hand out — each allowed to carl, denied to every other role, refused from the
wrong states and on bad input, with nothing changed or recorded by a refusal."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases import limits
from cases.errors import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from cases.models import AccessRequest, AccessStatus, Application, Role, TransitionRecord
from cases.services.access_requests import access_request_register
from tests.conftest import advance
from tests.factories import ApplicationFactory
from workflows import engine
from workflows.access_request import AccessRequestFlow
from workflows.chart import flow_chart_dot

GUIDANCE = "I kan klage til kommunen."
# Everyone in the cast but carl, the case officer of Roskilde: applicants, council,
# committee, the auditor (reads the register, never writes), Næstved's case officer.
OTHERS = ["anna", "bo", "dorte", "erik", "frida", "gustav", "helle", "ivan", "admin"]


@pytest.fixture
def case(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "submitted")


@pytest.fixture
def received(world: SimpleNamespace, case: Application) -> AccessRequest:
    return access_request_register(
        municipality=world.roskilde,
        acting_user=world.carl,
        requester_name="Jens Journalist",
        received_on=timezone.localdate(),
        scope="cases",
        text="Alle dokumenter i sagen",
        applications=[case],
    )


def take(request: AccessRequest, name: str, user: Any, **data: Any) -> AccessRequest:
    result: AccessRequest = engine.take(AccessRequestFlow, request, name, user=user, **data)
    return result


def later(request: AccessRequest, days: int = 10) -> datetime.date:
    return request.due_on + datetime.timedelta(days=days)


def extended(world: SimpleNamespace, request: AccessRequest) -> AccessRequest:
    return take(request, "access_extend", world.carl, until=later(request), reason="Mange sider")


def decided(
    world: SimpleNamespace, request: AccessRequest, decision: str = "full"
) -> AccessRequest:
    return take(
        request,
        "access_decide",
        world.carl,
        decision=decision,
        reasons="Undtaget efter § 30" if decision != "full" else "",
        complaint_guidance=GUIDANCE,
    )


def handed_out(world: SimpleNamespace, request: AccessRequest) -> AccessRequest:
    return take(
        request,
        "access_hand_out",
        world.carl,
        declarations="",
        contact_details="",
        items=[],
    )


def valid_input(world: SimpleNamespace, request: AccessRequest, name: str) -> dict[str, Any]:
    return {
        "access_extend": {"until": later(request), "reason": "Mange sider"},
        "access_decide": {"decision": "full", "reasons": "", "complaint_guidance": ""},
        "access_hand_out": {"declarations": "", "contact_details": "", "items": []},
    }[name]


def trail(case: Application) -> list[TransitionRecord]:
    return list(TransitionRecord.objects.filter(application=case, flow="access").order_by("seq"))


def unchanged(request: AccessRequest, case: Application, records: int) -> None:
    fresh = AccessRequest.objects.get(pk=request.pk)
    assert fresh.status == request.status
    assert len(trail(case)) == records


# --- allowed ----------------------------------------------------------------------------------


def test_carl_extends_the_deadline_and_it_is_recorded_in_the_case(
    world: SimpleNamespace, case: Application, received: AccessRequest
) -> None:
    until = later(received)

    request = take(received, "access_extend", world.carl, until=until, reason="Mange sider")

    assert (request.status, request.extended_until, request.extension_reason) == (
        AccessStatus.EXTENDED,
        until,
        "Mange sider",
    )
    assert request.handled_by == world.carl
    record = trail(case)[-1]
    assert (record.transition, record.actor, record.role, record.reason) == (
        "access_extend",
        world.carl,
        Role.CASE_OFFICER,
        "Mange sider",
    )
    assert record.from_state == record.to_state == case.status
    assert record.payload["access_request"] == request.pk
    assert record.payload["extended_until"] == until.isoformat()
    # The register's own history names the transition.
    assert request.history.first().history_change_reason.endswith("access_extend")


def test_an_extended_request_may_be_extended_again(
    world: SimpleNamespace, received: AccessRequest
) -> None:
    request = extended(world, received)

    again = take(request, "access_extend", world.carl, until=later(request), reason="Endnu flere")

    assert again.status == AccessStatus.EXTENDED and again.due_on == later(request)


@pytest.mark.parametrize("source", ["received", "extended"])
def test_carl_decides_the_request(
    world: SimpleNamespace, case: Application, received: AccessRequest, source: str
) -> None:
    request = extended(world, received) if source == "extended" else received

    request = decided(world, request, "partial")

    assert request.status == AccessStatus.DECIDED
    assert (request.decision, request.complaint_guidance) == ("partial", GUIDANCE)
    assert request.decided_at is not None
    record = trail(case)[-1]
    assert (record.transition, record.payload["decision"]) == ("access_decide", "partial")


def test_full_access_keeps_no_complaint_guidance(
    world: SimpleNamespace, received: AccessRequest
) -> None:
    request = decided(world, received, "full")

    assert request.complaint_guidance == ""


def test_carl_hands_out_the_export(
    world: SimpleNamespace, case: Application, received: AccessRequest
) -> None:
    request = handed_out(world, decided(world, received))

    assert request.status == AccessStatus.HANDED_OUT
    assert request.export and len(request.export_sha256) == 64
    record = trail(case)[-1]
    assert record.transition == "access_hand_out"
    assert record.payload["sha256"] == request.export_sha256


# --- denied for every other role -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["access_extend", "access_decide", "access_hand_out"])
@pytest.mark.parametrize("who", OTHERS)
def test_only_the_case_officer_of_the_municipality_takes_it(
    world: SimpleNamespace, case: Application, received: AccessRequest, name: str, who: str
) -> None:
    request = decided(world, received) if name == "access_hand_out" else received
    records = len(trail(case))
    data = valid_input(world, request, name)

    with override("en"), pytest.raises(TransitionNotPermitted) as refused:
        take(request, name, getattr(world, who), **data)

    assert "Only a case officer" in refused.value.message
    unchanged(request, case, records)
    # The same request by carl goes through: the refusal was the rule's.
    assert take(request, name, world.carl, **data).status != request.status


# --- wrong states --------------------------------------------------------------------------------

REACH = {
    "received": lambda world, r: r,
    "extended": extended,
    "decided": decided,
    "refused": lambda world, r: decided(world, r, "refused"),
    "handed_out": lambda world, r: handed_out(world, decided(world, r)),
}
WRONG = [
    ("access_extend", "decided", "has already been decided"),
    ("access_extend", "refused", "has already been decided"),
    ("access_extend", "handed_out", "has already been decided"),
    ("access_decide", "decided", "has already been decided"),
    ("access_decide", "refused", "has already been decided"),
    ("access_decide", "handed_out", "has already been decided"),
    ("access_hand_out", "received", "Only a decided request is handed out"),
    ("access_hand_out", "extended", "Only a decided request is handed out"),
    ("access_hand_out", "handed_out", "Only a decided request is handed out"),
    ("access_hand_out", "refused", "Access was refused"),
]


@pytest.mark.parametrize(("name", "state", "message"), WRONG)
def test_it_is_refused_from_the_wrong_state(
    world: SimpleNamespace,
    case: Application,
    received: AccessRequest,
    name: str,
    state: str,
    message: str,
) -> None:
    request = REACH[state](world, received)
    records = len(trail(case))

    with override("en"), pytest.raises(TransitionNotPossible) as refused:
        take(request, name, world.carl, **valid_input(world, request, name))

    assert message in refused.value.message and refused.value.status_code == 409
    unchanged(request, case, records)


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"reason": "Mange sider"}, {"until"}),
        ({"until": "i morgen", "reason": "Mange sider"}, {"until"}),
        ({"until": "DEADLINE", "reason": "Mange sider"}, {"until"}),
        ({"until": "LATER", "reason": "  "}, {"reason"}),
        ({"until": "LATER", "reason": "x" * (limits.TEXT + 1)}, {"reason"}),
    ],
    ids=["no-date", "not-a-date", "not-later", "blank-reason", "too-long"],
)
def test_bad_input_to_extend_is_refused_on_its_field(
    world: SimpleNamespace,
    case: Application,
    received: AccessRequest,
    data: dict[str, Any],
    fields: set[str],
) -> None:
    dates = {"DEADLINE": received.deadline, "LATER": later(received)}
    data = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    records = len(trail(case))

    with pytest.raises(InvalidInput) as refused:
        take(received, "access_extend", world.carl, **data)

    assert set(refused.value.errors) == fields
    unchanged(received, case, records)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"decision"}),
        ({"decision": "maybe"}, {"decision"}),
        ({"decision": "partial"}, {"reasons", "complaint_guidance"}),
        (
            {"decision": "refused", "reasons": "§ 30", "complaint_guidance": " "},
            {"complaint_guidance"},
        ),
    ],
    ids=["missing", "unknown", "partial-without-reasons", "refusal-without-guidance"],
)
def test_bad_input_to_decide_is_refused_on_its_field(
    world: SimpleNamespace,
    case: Application,
    received: AccessRequest,
    data: dict[str, Any],
    fields: set[str],
) -> None:
    records = len(trail(case))

    with pytest.raises(InvalidInput) as refused:
        take(received, "access_decide", world.carl, **data)

    assert set(refused.value.errors) == fields
    unchanged(received, case, records)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"declarations": "because"}, {"declarations"}),
        ({"contact_details": "because"}, {"contact_details"}),
        ({"items": [{"kind": "attachment", "id": 999999, "ground": "private"}]}, {"items"}),
        ({"items": [{"kind": "attachment", "id": "ATTACHMENT", "ground": "nope"}]}, {"items"}),
        ({"items": [{"kind": "letterbox", "id": 1, "ground": "private"}]}, {"items"}),
        ({"items": "everything"}, {"items"}),
    ],
    ids=["declarations", "contact-details", "unknown-item", "unknown-ground", "kind", "shape"],
)
def test_bad_input_to_hand_out_is_refused_on_its_field(
    world: SimpleNamespace,
    case: Application,
    received: AccessRequest,
    data: dict[str, Any],
    fields: set[str],
) -> None:
    request = decided(world, received)
    attachment = case.attachments.first()
    assert attachment is not None
    for item in data.get("items", []) if isinstance(data.get("items"), list) else []:
        item["id"] = attachment.pk if item["id"] == "ATTACHMENT" else item["id"]
    records = len(trail(case))

    with pytest.raises(InvalidInput) as refused:
        take(request, "access_hand_out", world.carl, **data)

    assert set(refused.value.errors) == fields
    unchanged(request, case, records)
    assert not AccessRequest.objects.get(pk=request.pk).export


def test_an_item_of_a_case_not_covered_is_refused(
    world: SimpleNamespace, case: Application, received: AccessRequest, draft: Application
) -> None:
    other = ApplicationFactory(round=world.round, association=world.b)
    other.focus_areas.set([world.focus])
    other = engine.perform(other, "submit", user=world.bo)
    foreign = other.attachments.first()
    assert foreign is not None
    request = decided(world, received)

    with pytest.raises(InvalidInput) as refused:
        take(
            request,
            "access_hand_out",
            world.carl,
            items=[{"kind": "attachment", "id": foreign.pk, "ground": "private"}],
        )

    assert set(refused.value.errors) == {"items"}


# --- the chart -----------------------------------------------------------------------------------


def test_the_chart_draws_the_request_s_flow() -> None:
    dot = flow_chart_dot(AccessRequestFlow)

    assert '"received" -> "extended" [label="access_extend"]' in dot
    assert '"extended" -> "decided" [label="access_decide"]' in dot
    assert '"decided" -> "handed_out" [label="access_hand_out"]' in dot


def test_acting_on_a_request_someone_else_moved_on_speaks_of_the_request(
    world: SimpleNamespace, received: AccessRequest
) -> None:
    from cases.errors import CaseMovedOn

    stale = AccessRequest.objects.get(pk=received.pk)
    decided(world, received)
    with override("da"), pytest.raises(CaseMovedOn) as refused:
        engine.take(
            AccessRequestFlow,
            stale,
            "access_extend",
            user=world.carl,
            seen_status=AccessStatus.RECEIVED,
            until=later(stale),
            reason="Mange sider",
        )
    assert refused.value.message.startswith("Anmodningen er blevet ændret i mellemtiden")
    assert "sag" not in refused.value.message.lower()
