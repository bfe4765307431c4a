"""The allocation assistant's page (web/allocation) and its hand-over to the bulk page: the
chair works it, the case officer looks, the proposal and every change reach the records
and the minutes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.documents.meetings import minutes_context
from cases.models import AgendaItem, Application, Assessment, Body, Meeting
from cases.roles import forget_profile
from cases.services.meetings import conflict_declare, meeting_create
from cases.trail.disclosure import disclosed_records
from cases.trail.models import TransitionRecord
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def council_agenda(
    world: SimpleNamespace, requests: list[str], body: str = Body.COUNCIL
) -> Meeting:
    """A held meeting of ``body`` with one pending item per request, in that order."""
    meeting = meeting_create(
        grant_round=world.round,
        body=body,
        date=datetime.date.today() - datetime.timedelta(days=10),  # held
        members_present=[world.erik, world.dorte] if body == Body.COUNCIL else [world.frida],
        acting_user=world.carl,
    )
    status = "in_council_review" if body == Body.COUNCIL else "recommended"
    for position, amount in enumerate(requests, start=1):
        application = ApplicationFactory(
            round=world.round,
            association=world.b,
            complete=False,
            status=status,
            amount_requested=Decimal(amount),
            recommendation_outcome="" if body == Body.COUNCIL else "grant",
            recommended_amount=None if body == Body.COUNCIL else Decimal(amount),
        )
        application.focus_areas.set([world.focus])
        AgendaItem.objects.create(meeting=meeting, application=application, position=position)
    return meeting


def url(meeting: Meeting) -> str:
    return reverse("allocation:meeting_allocation", args=[meeting.pk])


def items(meeting: Meeting) -> list[Application]:
    return [i.application for i in meeting.agenda_items.order_by("position")]


def proposed(response: Any) -> dict[int, Decimal]:
    return {c.application.pk: amount for c, amount, _note, _fix in response.context["rows"]}


def test_erik_sees_a_pro_rata_proposal_for_the_agenda(world: SimpleNamespace, client: Any) -> None:
    world.round.pool_amount = Decimal("30000")
    world.round.save()
    meeting = council_agenda(world, ["20000", "20000", "10000"])
    client.force_login(world.erik)
    response = client.get(url(meeting), **EN)
    assert response.status_code == 200
    first, second, third = items(meeting)
    # 30.000 of 50.000 requested: every grant cut to 60 %.
    assert proposed(response) == {
        first.pk: Decimal(12000),
        second.pk: Decimal(12000),
        third.pk: Decimal(6000),
    }
    html = response.content.decode()
    assert 'id="allocation-adopt"' in html and "data-keep-input" in html
    # Reached from the meeting page.
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]), **EN)
    assert url(meeting) in page.content.decode()


def test_fixing_two_amounts_moves_the_rest(world: SimpleNamespace, client: Any) -> None:
    world.round.pool_amount = Decimal("30000")
    world.round.save()
    meeting = council_agenda(world, ["20000", "20000", "10000", "10000"])
    first, second, third, fourth = items(meeting)
    client.force_login(world.erik)
    response = client.post(
        url(meeting),
        {
            "method": "pro_rata",
            f"fix-{first.pk}": "20000",
            f"fix-{second.pk}": "0",
            "action": "calculate",
        },
        **EN,
    )
    assert response.status_code == 200
    # 10.000 left for the two others: 5.000 each.
    assert proposed(response) == {
        first.pk: Decimal(20000),
        second.pk: Decimal(0),
        third.pk: Decimal(5000),
        fourth.pk: Decimal(5000),
    }
    # What was typed is still there.
    assert response.context["form"][f"fix-{first.pk}"].value() == "20000"


def test_a_fixed_amount_above_the_request_is_refused_next_to_its_field(
    world: SimpleNamespace, client: Any
) -> None:
    meeting = council_agenda(world, ["20000", "10000"])
    first, _second = items(meeting)
    client.force_login(world.erik)
    response = client.post(
        url(meeting),
        {"method": "priority", "minimum": "5000", f"fix-{first.pk}": "25000", "action": "adopt"},
        **EN,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_fix-{first.pk}-error"' in html
    assert "Enter an amount from 0 to the" in html
    form = response.context["form"]
    assert form["minimum"].value() == "5000" and form["method"].value() == "priority"


def test_shares_above_100_per_cent_are_refused(world: SimpleNamespace, client: Any) -> None:
    meeting = council_agenda(world, ["20000"])
    client.force_login(world.erik)
    areas = list(world.round.focus_areas.order_by("name", "id"))
    response = client.post(
        url(meeting),
        {"method": "pro_rata", **{f"share-{a.pk}": "60" for a in areas}, "action": "calculate"},
        **EN,
    )
    assert response.status_code == 400
    assert "more than 100 per cent" in response.content.decode()


def test_the_case_officer_looks_but_does_not_work_it_and_others_are_refused(
    world: SimpleNamespace, client: Any
) -> None:
    meeting = council_agenda(world, ["20000"])
    client.force_login(world.carl)
    page = client.get(url(meeting), **EN)
    assert page.status_code == 200
    assert 'id="allocation-read-only"' in page.content.decode()
    assert 'id="allocation-adopt"' not in page.content.decode()
    assert client.post(url(meeting), {"method": "pro_rata"}, **EN).status_code == 403
    client.force_login(world.dorte)  # a council member, not its chair
    assert client.get(url(meeting), **EN).status_code == 403
    client.force_login(world.frida)  # the committee's chair, at the council's meeting
    assert client.get(url(meeting), **EN).status_code == 403
    client.force_login(world.anna)
    assert client.get(url(meeting), **EN).status_code == 404
    client.force_login(world.erik)  # the same request as the chair gets in
    assert client.post(url(meeting), {"method": "pro_rata"}, **EN).status_code == 200


def test_the_ranking_follows_the_councils_assessments(world: SimpleNamespace, client: Any) -> None:
    world.round.pool_amount = Decimal("20000")
    world.round.save()
    meeting = council_agenda(world, ["20000", "20000"])
    first, second = items(meeting)
    Assessment.objects.create(
        meeting=meeting, application=first, member=world.dorte, outcome="refuse", amount=0
    )
    Assessment.objects.create(
        meeting=meeting, application=second, member=world.dorte, outcome="grant", amount=20000
    )
    client.force_login(world.erik)
    response = client.post(url(meeting), {"method": "priority", "action": "calculate"}, **EN)
    # The second item has the council's support: it comes first and gets the pool.
    assert proposed(response) == {first.pk: Decimal(0), second.pk: Decimal(20000)}
    assert [c.application.pk for c, *_ in response.context["rows"]] == [second.pk, first.pk]


def adopt(client: Any, meeting: Meeting, data: dict[str, str]) -> str:
    response = client.post(url(meeting), {**data, "action": "adopt"}, **EN)
    assert response.status_code == 302, response.content.decode()[:2000]
    target = urlparse(response.url)
    assert target.path == reverse("bulk:meeting_bulk", args=[meeting.pk])
    return parse_qs(target.query)["allocation"][0]


def test_the_adopted_proposal_fills_the_bulk_page_and_reaches_records_and_minutes(
    world: SimpleNamespace, client: Any
) -> None:
    world.round.pool_amount = Decimal("30000")
    world.round.save()
    meeting = council_agenda(world, ["20000", "20000", "10000", "10000"])
    first, second, third, fourth = items(meeting)
    client.force_login(world.erik)
    token = adopt(client, meeting, {"method": "pro_rata", f"fix-{first.pk}": "20000"})
    bulk_url = reverse("bulk:meeting_bulk", args=[meeting.pk])
    page = client.get(bulk_url, {"allocation": token}, **EN)
    assert page.status_code == 200
    assert 'id="bulk-allocation"' in page.content.decode()
    forms = {f.application.pk: f for _row, f in page.context["open_rows"]}
    assert forms[first.pk].initial["outcome"] == "grant"
    assert forms[second.pk].initial["outcome"] == "partial"
    # 10.000 left beside the fixed 20.000 for 40.000 requested: a quarter each.
    assert forms[second.pk].initial["amount"] == Decimal("5000")
    # The chair changes one more amount on the bulk page, then records everything.
    data = {"allocation": token, "vote-unanimous": "on"}
    for application in (first, second, third, fourth):
        initial = forms[application.pk].initial
        prefix = f"row-{application.pk}"
        data[f"{prefix}-seen_version"] = str(application.version)
        data[f"{prefix}-outcome"] = initial["outcome"]
        if initial.get("amount") is not None:
            data[f"{prefix}-amount"] = str(initial["amount"])
        data[f"{prefix}-reason"] = initial.get("reason", "")
    data[f"row-{fourth.pk}-amount"] = "2000"
    response = client.post(bulk_url, data, **EN)
    assert response.status_code == 302, [
        (f.errors, f.non_field_errors()) for f in response.context["failed"]
    ]
    payloads = {
        r.application_id: r.payload["allocation"]
        for r in TransitionRecord.objects.filter(transition="recommend")
    }
    assert payloads[first.pk]["method"] == "pro_rata"
    assert payloads[first.pk]["params"]["fixed"] == {first.case_number: "20000.00"}
    # The first item: the method gave it 10.000 (half of every request); the chair fixed 20.000.
    assert (payloads[first.pk]["proposed"], payloads[first.pk]["chosen"]) == (
        "10000.00",
        "20000.00",
    )
    assert (payloads[fourth.pk]["proposed"], payloads[fourth.pk]["chosen"]) == (
        "2500.00",
        "2000.00",
    )
    assert payloads[second.pk]["proposed"] == payloads[second.pk]["chosen"] == "5000.00"
    # The minutes: the method and the two rows that differ from the proposal.
    (section,) = minutes_context(Meeting.objects.get(pk=meeting.pk))["allocations"]
    assert section.method == "Pro rata"
    assert [(c.case_number, c.proposed, c.chosen) for c in section.changes] == [
        (first.case_number, Decimal(10000), Decimal(20000)),
        (fourth.case_number, Decimal(2500), Decimal(2000)),
    ]
    minutes = client.get(reverse("meetings:meeting_minutes", args=[meeting.pk]), **EN)
    assert 'id="minutes-allocation-changes"' in minutes.content.decode()
    # The association is not shown the proposal (the council's working of the pool).
    records = list(TransitionRecord.objects.filter(application=first).order_by("seq"))
    (shown,) = [r for r in disclosed_records(world.bo, first, records) if r.payload.get("amount")]
    assert "allocation" not in shown.payload
    assert "allocation" in disclosed_records(world.erik, first, records)[-1].payload


def test_a_damaged_proposal_records_nothing(world: SimpleNamespace, client: Any) -> None:
    meeting = council_agenda(world, ["20000"])
    (first,) = items(meeting)
    client.force_login(world.erik)
    bulk_url = reverse("bulk:meeting_bulk", args=[meeting.pk])
    response = client.post(
        bulk_url,
        {
            "allocation": "forged",
            "vote-unanimous": "on",
            f"row-{first.pk}-seen_version": str(first.version),
            f"row-{first.pk}-outcome": "grant",
        },
        **EN,
    )
    assert response.status_code == 400
    assert "damaged" in response.content.decode()
    assert not TransitionRecord.objects.filter(transition="recommend").exists()


def test_a_proposal_for_another_meeting_is_not_taken(world: SimpleNamespace, client: Any) -> None:
    meeting = council_agenda(world, ["20000"])
    client.force_login(world.erik)
    token = adopt(client, meeting, {"method": "pro_rata"})
    other = council_agenda(world, ["10000"])
    page = client.get(reverse("bulk:meeting_bulk", args=[other.pk]), {"allocation": token}, **EN)
    assert page.status_code == 200
    assert 'id="bulk-allocation"' not in page.content.decode()


def test_the_committee_chair_adopts_into_the_decisions(world: SimpleNamespace, client: Any) -> None:
    world.round.pool_amount = Decimal("10000")
    world.round.save()
    meeting = council_agenda(world, ["20000", "20000"], body=Body.COMMITTEE)
    first, second = items(meeting)
    client.force_login(world.frida)
    token = adopt(client, meeting, {"method": "priority"})
    page = client.get(reverse("bulk:meeting_bulk", args=[meeting.pk]), {"allocation": token}, **EN)
    forms = {f.application.pk: f for _row, f in page.context["open_rows"]}
    assert forms[first.pk].initial["action"] == "decide"
    assert forms[first.pk].initial["amount"] == Decimal(10000)
    assert forms[second.pk].initial["outcome"] == "refuse"


@pytest.mark.parametrize("body", [Body.COUNCIL, Body.COMMITTEE])
def test_the_page_runs_the_same_queries_for_3_and_12_items(
    world: SimpleNamespace, client: Any, body: str
) -> None:
    chair = world.erik if body == Body.COUNCIL else world.frida
    client.force_login(chair)

    def count(meeting: Meeting) -> int:
        forget_profile(chair)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(meeting))
        assert response.status_code == 200
        return len(captured)

    small = count(council_agenda(world, ["10000"] * 3, body=body))
    large = count(council_agenda(world, ["10000"] * 12, body=body))
    # session, user, staff roles with association ties, the meeting with its round and
    # municipality; the bulk sheet's reads (the agenda with applications and associations,
    # the chair's declared conflicts, who is present with the body's members, the round's
    # grants, at a council meeting the round's criteria); the items' focus areas, the
    # council's assessments, their criteria scores; the round's focus areas; the header's
    # count of unread notifications.
    assert small == large == (14 if body == Body.COUNCIL else 13)


def test_the_chair_fixes_no_amount_on_an_item_they_are_conflicted_on(
    world: SimpleNamespace, client: Any
) -> None:
    world.round.pool_amount = Decimal("20000")
    world.round.save()
    meeting = council_agenda(world, ["20000", "20000"])
    first, second = items(meeting)
    conflict_declare(application=second, member=world.erik, reason="Min søster er formand")
    client.force_login(world.erik)
    response = client.post(
        url(meeting),
        {"method": "pro_rata", f"fix-{first.pk}": "5000", f"fix-{second.pk}": "0"},
        **EN,
    )
    html = response.content.decode()
    assert f'id="id_fix-{first.pk}"' in html
    assert f'id="id_fix-{second.pk}"' not in html
    assert f'id="allocation-conflicted-{second.pk}"' in html
    # The forged amount for it is not taken: it is fitted like any other item.
    assert proposed(response) == {first.pk: Decimal(5000), second.pk: Decimal(15000)}


def test_the_bulk_page_links_to_the_assistant(world: SimpleNamespace, client: Any) -> None:
    meeting = council_agenda(world, ["20000"])
    client.force_login(world.erik)
    page = client.get(reverse("bulk:meeting_bulk", args=[meeting.pk]), **EN)
    assert f'href="{url(meeting)}"' in page.content.decode()


def test_back_from_the_bulk_page_the_assistant_is_as_the_chair_left_it(
    world: SimpleNamespace, client: Any
) -> None:
    meeting = council_agenda(world, ["20000", "10000"])
    first, _second = items(meeting)
    client.force_login(world.erik)
    token = adopt(
        client, meeting, {"method": "priority", "minimum": "2500", f"fix-{first.pk}": "7500"}
    )
    bulk_page = client.get(reverse("bulk:meeting_bulk", args=[meeting.pk]), {"allocation": token})
    assert 'id="bulk-allocation-change"' in bulk_page.content.decode()
    again = client.get(url(meeting), {"allocation": token})
    form = again.context["form"]
    assert form["method"].value() == "priority"
    assert form["minimum"].value() == "2500"
    assert form[f"fix-{first.pk}"].value() == "7500"
    assert proposed(again)[first.pk] == Decimal(7500)
