"""Quorum, votes, dissent and the meeting's date on the screens: the case page, the decide
page, the bulk page, the agenda and the minutes (issue 16, items 5 and 6)."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import override

from cases.models import Application, Body, Meeting, Role
from cases.roles import forget_profile
from tests.conftest import NO_HEARING, advance
from tests.factories import UserFactory, give_role
from workflows import engine

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def committee_meeting() -> Meeting:
    return Meeting.objects.get(body=Body.COMMITTEE)


def postpone(meeting: Meeting, days: int = 3) -> datetime.date:
    meeting.date = timezone.localdate() + datetime.timedelta(days=days)
    meeting.save()
    return meeting.date


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def decide_url(application: Application) -> str:
    return reverse("applications:application_act", args=[application.pk, "decide"])


@pytest.fixture
def committee(world: SimpleNamespace) -> SimpleNamespace:
    kim = UserFactory(username="kim", first_name="Kim", last_name="Kjær")
    lis = UserFactory(username="lis", first_name="Lis", last_name="Larsen")
    for user in (kim, lis):
        give_role(user, world.roskilde, Role.COMMITTEE_MEMBER)
    forget_profile(world.frida)
    return SimpleNamespace(kim=kim, lis=lis)


# --- the meeting's date ---------------------------------------------------------------------


def test_a_decision_before_the_meetings_date_is_not_offered_and_a_post_is_refused(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    application = advance(draft, world, "recommended")
    day = postpone(committee_meeting())
    client = as_user(world.frida)
    with override("en"):
        expected = (
            f"The meeting is on {formats.date_format(day)}. Its decisions can be recorded "
            "from that day, not before."
        )

    page = client.get(reverse("applications:application_detail", args=[application.pk]), **EN)
    assert 'data-action="decide"' not in page.content.decode()
    assert expected in text_of(page)
    form_page = client.get(decide_url(application), **EN)
    assert expected in text_of(form_page)

    refused = client.post(
        decide_url(application),
        {
            "seen_status": "recommended",
            "seen_version": application.version,
            "outcome": "grant",
            "unanimous": "True",
        },
        **EN,
    )
    assert refused.status_code == 400
    assert expected in text_of(refused)
    assert Application.objects.get(pk=application.pk).status == "recommended"

    # On the day itself it is offered, and decided with the meeting's date.
    meeting = committee_meeting()
    meeting.date = timezone.localdate()
    meeting.save()
    page = client.get(reverse("applications:application_detail", args=[application.pk]), **EN)
    assert 'data-action="decide"' in page.content.decode()


def test_the_bulk_page_before_the_meetings_date_says_so_and_records_nothing(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    application = advance(draft, world, "recommended")
    meeting = committee_meeting()
    day = postpone(meeting)
    client = as_user(world.frida)
    url = reverse("bulk:meeting_bulk", args=[meeting.pk])

    page = client.get(url, **EN)
    html = page.content.decode()
    assert 'id="bulk-not-held"' in html
    assert 'id="bulk-submit"' not in html
    with override("en"):
        assert f"The meeting is on {formats.date_format(day)}." in text_of(page)

    forged = client.post(
        url,
        {
            f"row-{application.pk}-seen_version": str(application.version),
            f"row-{application.pk}-action": "decide",
            f"row-{application.pk}-outcome": "grant",
        },
        **EN,
    )
    assert forged.status_code == 400
    assert "not before" in text_of(forged)
    assert Application.objects.get(pk=application.pk).status == "recommended"


# --- quorum, the vote and the minority ------------------------------------------------------


def test_a_committee_not_quorate_is_refused_then_decides_2_to_1_and_the_minutes_say_so(
    world: SimpleNamespace, draft: Application, committee: SimpleNamespace, as_user: Any
) -> None:
    application = advance(draft, world, "recommended")
    meeting = committee_meeting()
    client = as_user(world.frida)

    page = client.get(reverse("applications:application_detail", args=[application.pk]), **EN)
    assert 'data-action="decide"' not in page.content.decode()
    assert "is not quorate on this application: 1 of the 2 members" in text_of(page)
    agenda = client.get(reverse("meetings:meeting_agenda", args=[meeting.pk]), **EN)
    assert 'data-quorate="no"' in agenda.content.decode()
    bulk_page = client.get(reverse("bulk:meeting_bulk", args=[meeting.pk]), **EN)
    assert 'id="bulk-not-quorate"' in bulk_page.content.decode()

    meeting.members_present.add(committee.kim, committee.lis)
    agenda = client.get(reverse("meetings:meeting_agenda", args=[meeting.pk]), **EN)
    assert 'data-quorate="yes"' in agenda.content.decode()
    assert "Quorate on this item: 3 members present" in text_of(agenda)

    decided = client.post(
        decide_url(application),
        {
            "seen_status": "recommended",
            "seen_version": application.version,
            "outcome": "grant",
            "amount": "20000",
            "reason": "Som indstillet",
            "unanimous": "False",
            "votes_for": "2",
            "votes_against": "1",
            "votes_abstaining": "0",
            "minority": "Lis Larsen: Puljen bør gå til nye foreninger.",
            **NO_HEARING,
        },
        **EN,
    )
    assert decided.status_code == 302, text_of(decided)
    application.refresh_from_db()
    assert application.status == "granted"
    assert application.decision_date == meeting.date

    minutes = text_of(client.get(reverse("meetings:meeting_minutes", args=[meeting.pk]), **EN))
    assert "Vote: 2 for, 1 against, 0 abstaining." in minutes
    assert "Minority statement: Lis Larsen: Puljen bør gå til nye foreninger." in minutes
    # The same in Danish, and on the case's history.
    danish = text_of(client.get(reverse("meetings:meeting_minutes", args=[meeting.pk])))
    assert "Afstemning: 2 for, 1 imod, 0 undlod at stemme." in danish
    assert "Mindretalsudtalelse: Lis Larsen" in danish
    case_page = text_of(
        client.get(reverse("applications:application_detail", args=[application.pk]), **EN)
    )
    assert "Vote: 2 for, 1 against, 0 abstaining." in case_page
    assert "Minority statement: Lis Larsen" in case_page


def test_the_decide_form_is_unanimous_unless_changed_and_shows_vote_errors_by_the_fields(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    application = advance(draft, world, "recommended")
    client = as_user(world.frida)
    form = client.get(decide_url(application), **EN)
    assert re.search(
        r'<input[^>]*name="unanimous"[^>]*value="True"[^>]*checked', form.content.decode()
    )

    base = {"seen_status": "recommended", "seen_version": application.version, "outcome": "grant"}
    negative = client.post(decide_url(application), {**base, "votes_for": "-1"}, **EN)
    assert negative.status_code == 400
    assert "Enter a number of votes of 0 or more." in text_of(negative)
    assert 'id="id_votes_for-error"' in negative.content.decode()

    too_many = client.post(
        decide_url(application),
        {**base, "unanimous": "False", "votes_for": "2", "votes_against": "1"},
        **EN,
    )
    assert too_many.status_code == 400
    assert "3 votes were entered, but only 1 member who is not disqualified is present." in (
        text_of(too_many)
    )
    against = client.post(
        decide_url(application), {**base, "unanimous": "True", "votes_against": "1"}, **EN
    )
    assert "A unanimous decision has no votes against." in text_of(against)
    assert Application.objects.get(pk=application.pk).status == "recommended"

    # One click: the form as it comes records a unanimous decision.
    done = client.post(decide_url(application), {**base, "unanimous": "True"}, **EN)
    assert done.status_code == 302
    record = engine_record(application)
    assert record["vote"] == {"for": 1, "against": 0, "abstaining": 0, "unanimous": True}


def engine_record(application: Application) -> dict[str, Any]:
    from cases.trail.models import TransitionRecord

    record = TransitionRecord.objects.filter(application=application).order_by("-seq").first()
    assert record is not None
    return dict(record.payload)


def test_the_bulk_page_records_the_pages_vote_or_a_rows_own(
    world: SimpleNamespace, committee: SimpleNamespace, as_user: Any
) -> None:
    from tests.factories import ApplicationFactory

    items = []
    for _ in range(2):
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        items.append(advance(application, world, "recommended"))
    meeting = committee_meeting()
    meeting.members_present.add(committee.kim, committee.lis)
    first, second = (Application.objects.get(pk=a.pk) for a in items)
    data = {"vote-unanimous": "True", **NO_HEARING}
    for application in (first, second):
        data.update(
            {
                f"row-{application.pk}-seen_version": str(application.version),
                f"row-{application.pk}-action": "decide",
                f"row-{application.pk}-outcome": "grant",
                f"row-{application.pk}-amount": "20000",
                f"row-{application.pk}-reason": "Som indstillet",
            }
        )
    data[f"row-{second.pk}-votes_for"] = "2"
    data[f"row-{second.pk}-votes_abstaining"] = "1"
    data[f"row-{second.pk}-minority"] = "Kim undlod at stemme."

    response = as_user(world.frida).post(
        reverse("bulk:meeting_bulk", args=[meeting.pk]), data, **EN
    )

    assert response.status_code == 302, text_of(response)
    assert engine_record(first)["vote"] == {
        "for": 3,
        "against": 0,
        "abstaining": 0,
        "unanimous": True,
    }
    second_record = engine_record(second)
    assert second_record["vote"] == {"for": 2, "against": 0, "abstaining": 1, "unanimous": False}
    assert second_record["minority"] == "Kim undlod at stemme."
    assert second_record["decision_date"] == meeting.date.isoformat()


def test_a_bulk_row_with_more_votes_than_members_fails_on_its_row(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    application = advance(draft, world, "recommended")
    meeting = committee_meeting()
    response = as_user(world.frida).post(
        reverse("bulk:meeting_bulk", args=[meeting.pk]),
        {
            f"row-{application.pk}-seen_version": str(application.version),
            f"row-{application.pk}-action": "decide",
            f"row-{application.pk}-outcome": "grant",
            f"row-{application.pk}-votes_for": "2",
        },
        **EN,
    )
    assert response.status_code == 400
    assert "2 votes were entered, but only 1 member who is not disqualified is present." in (
        text_of(response)
    )
    assert Application.objects.get(pk=application.pk).status == "recommended"


def test_engine_offers_nothing_to_explain_when_the_decision_is_possible(
    world: SimpleNamespace, draft: Application
) -> None:
    application = advance(draft, world, "recommended")
    assert engine.unmet_condition(application, "decide", world.frida) == ""
    # Nor to someone who may not take it at all.
    assert engine.unmet_condition(application, "decide", world.anna) == ""
