"""Quorum, votes and the meeting's date through the API (issue 16, items 5 and 6)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import override

from cases.models import Application, Body, Meeting, Role
from tests.conftest import advance
from tests.factories import UserFactory, give_role

BASE = "/api/v1"


def decide(client: Any, application: Application, **fields: Any) -> Any:
    return client.post(
        f"{BASE}/applications/{application.pk}/transitions/decide",
        fields,
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_decision_before_the_meetings_date_is_a_400_naming_the_date(
    world: SimpleNamespace, draft: Application, api: Any
) -> None:
    application = advance(draft, world, "recommended")
    meeting = Meeting.objects.get(body=Body.COMMITTEE)
    meeting.date = timezone.localdate() + datetime.timedelta(days=2)
    meeting.save()

    response = decide(api(world.frida), application, outcome="grant")

    assert response.status_code == 400
    with override("en"):
        day = formats.date_format(meeting.date)
    assert response.json()["detail"] == (
        f"The meeting is on {day}. Its decisions can be recorded from that day, not before."
    )
    assert Application.objects.get(pk=application.pk).status == "recommended"


def test_a_committee_not_quorate_is_a_400_then_a_2_to_1_vote_is_recorded(
    world: SimpleNamespace, draft: Application, api: Any
) -> None:
    application = advance(draft, world, "recommended")
    kim, lis = (UserFactory(username=name) for name in ("kim", "lis"))
    for user in (kim, lis):
        give_role(user, world.roskilde, Role.COMMITTEE_MEMBER)
    meeting = Meeting.objects.get(body=Body.COMMITTEE)
    frida = api(world.frida)

    detail = frida.get(f"{BASE}/meetings/{meeting.pk}").json()
    assert detail["quorate"] is False
    assert detail["items"][0]["quorum"] == {
        "met": False,
        "present": [world.frida.pk],
        "required": 2,
        "conflicted": [],
    }
    refused = decide(frida, application, outcome="grant")
    assert refused.status_code == 400
    assert "is not quorate on this application" in refused.json()["detail"]

    meeting.members_present.add(kim, lis)
    assert frida.get(f"{BASE}/meetings/{meeting.pk}").json()["quorate"] is True
    done = decide(
        frida,
        application,
        outcome="grant",
        unanimous=False,
        votes_for=2,
        votes_against=1,
        minority="Lis: nye foreninger først.",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["decision_date"] == meeting.date.isoformat()

    minutes = frida.get(f"{BASE}/meetings/{meeting.pk}/minutes").json()
    action = minutes["items"][0]["actions"][0]
    assert action["vote"] == {"for": 2, "against": 1, "abstaining": 0, "unanimous": False}
    assert action["minority"] == "Lis: nye foreninger først."
    assert action["decision_date"] == meeting.date.isoformat()


def test_a_vote_that_does_not_add_up_is_a_400_per_field(
    world: SimpleNamespace, draft: Application, api: Any
) -> None:
    application = advance(draft, world, "recommended")
    frida = api(world.frida)

    too_many = decide(frida, application, outcome="grant", votes_for=3)
    assert too_many.status_code == 400
    assert list(too_many.json()) == ["votes_for"]
    negative = decide(frida, application, outcome="grant", votes_against=-1)
    assert negative.status_code == 400
    assert negative.json() == {"votes_against": ["Enter a number of votes of 0 or more."]}
    unanimous_against = decide(frida, application, outcome="grant", unanimous=True, votes_against=1)
    assert unanimous_against.status_code == 400
    assert list(unanimous_against.json()) == ["votes_against"]
    wrong_type = decide(frida, application, outcome="grant", unanimous="maybe")
    assert wrong_type.status_code == 400
    assert list(wrong_type.json()) == ["unanimous"]
    assert Application.objects.get(pk=application.pk).status == "recommended"


def test_the_schema_describes_the_vote_fields_and_the_quorum(
    world: SimpleNamespace, api: Any
) -> None:
    import yaml

    schema = yaml.safe_load(api(world.carl).get(f"{BASE}/schema").content)
    components = schema["components"]["schemas"]
    inputs = [
        c["properties"] for c in components.values() if "votes_for" in c.get("properties", {})
    ]
    assert inputs, "no transition input carries the vote"
    for name in ("unanimous", "votes_for", "votes_against", "votes_abstaining", "minority"):
        assert name in inputs[0]
    assert set(components["Quorum"]["properties"]) == {"met", "present", "required", "conflicted"}
    assert set(components["Vote"]["properties"]) == {"for", "against", "abstaining", "unanimous"}
