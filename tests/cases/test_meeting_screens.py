"""Preparing meetings on screen: the case officer creates them, edits them and fills the agenda;
every staff role of the municipality reads them; nobody else sees them."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from cases.models import AgendaItem, Application, Body, Meeting
from cases.services.meetings import agenda_add_all_ready, meeting_create
from tests.factories import ApplicationFactory
from workflows import engine

pytestmark = pytest.mark.django_db


COUNCIL_DATE = datetime.date(2026, 2, 1)


def in_review(world: SimpleNamespace, association: Any) -> Application:
    application = ApplicationFactory(round=world.round, association=association)
    application.focus_areas.set([world.focus])
    applicant = world.anna if association == world.a else world.bo
    application = engine.perform(application, "submit", user=applicant)
    return engine.perform(application, "accept", user=world.carl, reason="Opfylder kriterierne")


def council(world: SimpleNamespace, present: list[Any] | None = None) -> Meeting:
    return meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=COUNCIL_DATE,
        members_present=[world.dorte, world.erik] if present is None else present,
        acting_user=world.carl,
    )


def meeting_urls(meeting: Meeting) -> dict[str, str]:
    """Every URL of a meeting, reads and writes."""
    return {
        "list": reverse("meetings:meeting_list", args=[meeting.round_id]),
        "new": reverse("meetings:meeting_new", args=[meeting.round_id]),
        "detail": reverse("meetings:meeting_detail", args=[meeting.pk]),
        "edit": reverse("meetings:meeting_edit", args=[meeting.pk]),
        "add_ready": reverse("meetings:meeting_agenda_add_ready", args=[meeting.pk]),
        "add": reverse("meetings:meeting_agenda_add", args=[meeting.pk]),
        "agenda": reverse("meetings:meeting_agenda", args=[meeting.pk]),
        "agenda_pdf": reverse("meetings:meeting_agenda_pdf", args=[meeting.pk]),
        "minutes": reverse("meetings:meeting_minutes", args=[meeting.pk]),
        "minutes_pdf": reverse("meetings:meeting_minutes_pdf", args=[meeting.pk]),
    }


READS = ("list", "detail", "agenda", "agenda_pdf", "minutes", "minutes_pdf")
WRITES = ("new", "edit", "add_ready", "add")


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


# --- creating and editing ---------------------------------------------------------------


def test_carl_creates_a_council_meeting_with_the_councils_members_present(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.carl)
    url = reverse("meetings:meeting_new", args=[world.round.pk]) + "?body=council"
    page = client.get(url)
    assert page.status_code == 200
    # The council's members are offered, the committee's chair is not.
    assert "Dorte" in text(page) and "Erik" in text(page)
    assert "Frida" not in text(page)

    response = client.post(
        url, {"date": "2026-02-01", "members_present": [world.dorte.pk, world.erik.pk]}
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert (meeting.body, meeting.date, meeting.created_by) == (
        Body.COUNCIL,
        COUNCIL_DATE,
        world.carl,
    )
    assert set(meeting.members_present.all()) == {world.dorte, world.erik}


def test_a_new_meeting_with_a_chosen_body_checks_its_members_belong_to_it(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.carl)
    url = reverse("meetings:meeting_new", args=[world.round.pk])

    refused = client.post(
        url, {"body": "council", "date": "2026-02-01", "members_present": [world.frida.pk]}
    )

    assert refused.status_code == 400
    assert 'id="id_members_present-error"' in refused.content.decode()
    assert not Meeting.objects.exists()
    created = client.post(
        url, {"body": "committee", "date": "2026-02-15", "members_present": [world.frida.pk]}
    )
    assert created.status_code == 302
    assert Meeting.objects.get().body == Body.COMMITTEE


def test_a_meeting_without_a_valid_date_is_not_created_and_the_error_is_next_to_the_field(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.carl)
    url = reverse("meetings:meeting_new", args=[world.round.pk]) + "?body=council"
    response = client.post(url, {"date": "1. februar", "members_present": [world.erik.pk]})
    assert response.status_code == 400
    assert 'id="id_date-error"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_carl_changes_the_date_and_the_members_present(
    world: SimpleNamespace, as_user: Any
) -> None:
    meeting = council(world, [world.erik])
    client = as_user(world.carl)
    url = reverse("meetings:meeting_edit", args=[meeting.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"date": "2026-02-08", "members_present": [world.dorte.pk]})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2026, 2, 8)
    assert list(meeting.members_present.all()) == [world.dorte]
    assert meeting.history.first().history_user == world.carl


def test_a_member_who_recorded_at_the_meeting_cannot_be_removed_from_those_present(
    world: SimpleNamespace, as_user: Any
) -> None:
    bos = in_review(world, world.b)
    meeting = council(world)
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    engine.perform(bos, "recommend", user=world.erik, outcome="grant")
    client = as_user(world.carl)
    url = reverse("meetings:meeting_edit", args=[meeting.pk])

    refused = client.post(url, {"date": "2026-02-01", "members_present": [world.dorte.pk]})

    assert refused.status_code == 400
    assert 'id="id_members_present-error"' in refused.content.decode()
    assert set(meeting.members_present.all()) == {world.dorte, world.erik}
    # Removing dorte, who recorded nothing, is fine.
    allowed = client.post(url, {"date": "2026-02-01", "members_present": [world.erik.pk]})
    assert allowed.status_code == 302
    assert list(meeting.members_present.all()) == [world.erik]


def test_a_committee_member_cannot_be_added_to_a_council_meeting_by_editing(
    world: SimpleNamespace, as_user: Any
) -> None:
    meeting = council(world, [world.erik])
    response = as_user(world.carl).post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        {"date": "2026-02-01", "members_present": [world.erik.pk, world.frida.pk]},
    )
    assert response.status_code == 400
    assert list(meeting.members_present.all()) == [world.erik]


# --- the agenda -------------------------------------------------------------------------


def test_carl_adds_all_ready_applications_in_one_action(
    world: SimpleNamespace, as_user: Any
) -> None:
    first, second = in_review(world, world.a), in_review(world, world.b)
    ApplicationFactory(round=world.round, association=world.b)  # a draft: not ready
    meeting = council(world)
    client = as_user(world.carl)
    detail = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert first.case_number in text(detail) and second.case_number in text(detail)

    response = client.post(
        reverse("meetings:meeting_agenda_add_ready", args=[meeting.pk]), follow=True
    )

    assert response.status_code == 200
    assert [i.application for i in meeting.agenda_items.order_by("position")] == [first, second]
    assert "2 ansøgninger er sat på dagsordenen." in text(response)


def test_carl_adds_one_chosen_application(world: SimpleNamespace, as_user: Any) -> None:
    first, second = in_review(world, world.a), in_review(world, world.b)
    meeting = council(world)
    response = as_user(world.carl).post(
        reverse("meetings:meeting_agenda_add", args=[meeting.pk]), {"applications": [second.pk]}
    )
    assert response.status_code == 302
    assert [i.application for i in meeting.agenda_items.all()] == [second]
    assert first.pk not in AgendaItem.objects.values_list("application_id", flat=True)


def test_an_application_in_the_wrong_state_is_refused_with_a_clear_message(
    world: SimpleNamespace, as_user: Any, draft: Application
) -> None:
    ready = in_review(world, world.b)
    meeting = council(world)
    client = as_user(world.carl)
    client.post("/i18n/setlang/", {"language": "en"})

    response = client.post(
        reverse("meetings:meeting_agenda_add", args=[meeting.pk]),
        {"applications": [ready.pk, draft.pk]},
    )

    assert response.status_code == 400
    assert f"{draft.case_number} cannot go on this agenda: it is “Draft”." in text(response)
    assert 'id="id_applications-error"' in response.content.decode()
    assert not AgendaItem.objects.exists()  # all or nothing


def test_choosing_nothing_or_another_rounds_application_adds_nothing(
    world: SimpleNamespace, as_user: Any
) -> None:
    meeting = council(world)
    foreign = ApplicationFactory(round=world.other_round, association=world.b)
    client = as_user(world.carl)
    url = reverse("meetings:meeting_agenda_add", args=[meeting.pk])
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"applications": [foreign.pk]}).status_code == 400
    assert client.post(url, {"applications": ["x"]}).status_code == 400
    assert not AgendaItem.objects.exists()


def test_the_list_shows_the_rounds_meetings_and_offers_new_ones_to_the_case_officer_only(
    world: SimpleNamespace, as_user: Any
) -> None:
    in_review(world, world.a)
    meeting = council(world)
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    url = reverse("meetings:meeting_list", args=[world.round.pk])
    new = reverse("meetings:meeting_new", args=[world.round.pk])

    as_carl = as_user(world.carl).get(url)
    assert reverse("meetings:meeting_detail", args=[meeting.pk]) in as_carl.content.decode()
    assert f"{new}?body=council" in as_carl.content.decode()
    as_erik = as_user(world.erik).get(url)
    assert reverse("meetings:meeting_detail", args=[meeting.pk]) in as_erik.content.decode()
    assert new not in as_erik.content.decode()


def test_the_round_inbox_links_to_the_meetings(world: SimpleNamespace, as_user: Any) -> None:
    page = as_user(world.gustav).get(reverse("inbox:round_inbox", args=[world.round.pk]))
    assert reverse("meetings:meeting_list", args=[world.round.pk]) in page.content.decode()


def test_the_detail_page_links_each_member_to_their_own_screens(
    world: SimpleNamespace, as_user: Any
) -> None:
    """Each member sees the links to the screens that concern them, and no others."""
    council_meeting = council(world)
    committee = meeting_create(
        grant_round=world.round,
        body=Body.COMMITTEE,
        date=datetime.date(2026, 2, 15),
        members_present=[world.frida],
        acting_user=world.carl,
    )

    def links(user: Any, meeting: Meeting) -> dict[str, bool]:
        html = (
            as_user(user)
            .get(reverse("meetings:meeting_detail", args=[meeting.pk]))
            .content.decode()
        )
        found = {}
        for name in ("council:meeting_assess", "council:meeting_assessments", "bulk:meeting_bulk"):
            found[name] = f'href="{reverse(name, args=[meeting.pk])}"' in html
        return found

    routed = links(world.carl, council_meeting)
    assert not any(routed.values())  # the case officer records nothing
    expected = {
        ("dorte", "council"): {"council:meeting_assess"},
        ("erik", "council"): {
            "council:meeting_assess",
            "council:meeting_assessments",
            "bulk:meeting_bulk",
        },
        ("frida", "council"): set(),
        ("gustav", "council"): set(),
        ("erik", "committee"): set(),
        ("frida", "committee"): {"bulk:meeting_bulk"},
    }
    for (who, body), wanted in expected.items():
        meeting = council_meeting if body == "council" else committee
        shown = {name for name, present in links(getattr(world, who), meeting).items() if present}
        assert shown == wanted & set(routed), (who, body)


# --- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["anna", "bo", "helle", "ivan"])
def test_applicants_and_another_municipalitys_staff_find_no_meeting_at_all(
    world: SimpleNamespace, as_user: Any, outsider: str
) -> None:
    in_review(world, world.a)
    meeting = council(world)
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    urls = meeting_urls(meeting)
    client = as_user(getattr(world, outsider))
    for name, url in urls.items():
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, {}).status_code == 404, name
    assert meeting.agenda_items.count() == 1
    # The same requests as carl are answered.
    carl = as_user(world.carl)
    for name in READS:
        assert carl.get(urls[name]).status_code == 200, name


def test_without_logging_in_you_are_sent_to_the_login_page(world: SimpleNamespace) -> None:
    from django.test import Client

    meeting = council(world)
    for name, url in meeting_urls(meeting).items():
        response = Client().get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


@pytest.mark.parametrize("member", ["dorte", "erik", "frida", "gustav"])
def test_other_staff_read_every_meeting_page_but_change_nothing(
    world: SimpleNamespace, as_user: Any, member: str
) -> None:
    in_review(world, world.a)
    meeting = council(world)
    urls = meeting_urls(meeting)
    client = as_user(getattr(world, member))
    for name in READS:
        assert client.get(urls[name]).status_code == 200, name
    for name in ("new", "edit"):
        assert client.get(urls[name]).status_code == 403, name
    assert (
        client.post(
            urls["new"] + "?body=council",
            {"date": "2027-03-01", "members_present": [world.erik.pk]},
        ).status_code
        == 403
    )
    assert client.post(urls["edit"], {"date": "2027-03-01"}).status_code == 403
    assert client.post(urls["add_ready"]).status_code == 403
    assert client.post(urls["add"], {"applications": []}).status_code == 403
    meeting.refresh_from_db()
    assert (Meeting.objects.count(), meeting.date, meeting.agenda_items.count()) == (
        1,
        COUNCIL_DATE,
        0,
    )
    # carl, the case officer, may.
    assert as_user(world.carl).post(urls["add_ready"]).status_code == 302
    assert meeting.agenda_items.count() == 1


def test_a_meeting_page_renders_in_english_for_a_user_who_chose_english(
    world: SimpleNamespace, as_user: Any
) -> None:
    meeting = council(world)
    client = as_user(world.carl)
    danish = text(client.get(reverse("meetings:meeting_detail", args=[meeting.pk])))
    client.post("/i18n/setlang/", {"language": "en"})
    english = text(client.get(reverse("meetings:meeting_detail", args=[meeting.pk])))
    assert "Members present" in english and "Tilstedeværende medlemmer" not in english
    assert "Tilstedeværende medlemmer" in danish and "Members present" not in danish


def test_the_meeting_list_costs_the_same_queries_for_1_and_8_meetings(
    world: SimpleNamespace, as_user: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(world.gustav)
    counts = []
    for n in (1, 8):
        while Meeting.objects.filter(round=world.round).count() < n:
            meeting = council(world)
            agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
            in_review(world, world.b)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("meetings:meeting_list", args=[world.round.pk]))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
