"""The council's screens: assessments, conflicts of interest, the chair's overview.

dorte sits on association A's board, so she is conflicted on anna's applications and
takes part in bo's; erik chairs the council. Both are present at the council meeting.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import (
    AgendaItem,
    Application,
    Assessment,
    Body,
    ConflictDeclaration,
    Meeting,
)
from cases.services.meetings import (
    agenda_add,
    agenda_add_all_ready,
    assessment_record,
    conflict_declare,
    meeting_create,
)
from cases.trail.models import TransitionRecord
from tests.conftest import NO_HEARING, on_agenda
from tests.factories import ApplicationFactory, UserFactory, give_role
from workflows import engine

pytestmark = pytest.mark.django_db


def in_review(world: SimpleNamespace, association: Any, **fields: Any) -> Application:
    application = ApplicationFactory(round=world.round, association=association, **fields)
    application.focus_areas.set([world.focus])
    applicant = world.anna if association == world.a else world.bo
    application = engine.perform(application, "submit", user=applicant)
    return engine.perform(application, "accept", user=world.carl, reason="Opfylder kriterierne")


def make_meeting(world: SimpleNamespace, present: list[Any], body: str = Body.COUNCIL) -> Meeting:
    return meeting_create(
        grant_round=world.round,
        body=body,
        date=datetime.date(2026, 2, 1),
        members_present=present,
        acting_user=world.carl,
    )


@pytest.fixture
def council(world: SimpleNamespace) -> SimpleNamespace:
    """anna's and bo's applications on a council meeting where dorte and erik are present."""
    annas = in_review(world, world.a, title="Lektiecafé")
    bos = in_review(world, world.b, title="Besøgsvenner")
    meeting = make_meeting(world, [world.dorte, world.erik])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    return SimpleNamespace(meeting=meeting, annas=annas, bos=bos)


def assess_url(council: SimpleNamespace, application: Application | None = None) -> str:
    if application is None:
        return reverse("council:meeting_assess", args=[council.meeting.pk])
    return reverse("council:meeting_assess_item", args=[council.meeting.pk, application.pk])


def overview_url(council: SimpleNamespace) -> str:
    return reverse("council:meeting_assessments", args=[council.meeting.pk])


def item_html(content: bytes, application: Application) -> str:
    """The HTML of one item's section on the assessment sheet."""
    html = content.decode()
    match = re.search(rf'<section[^>]*id="item-{application.pk}".*?</section>', html, re.S)
    assert match, f"item {application.pk} not on the page"
    return match.group(0)


# --- recording assessments ----------------------------------------------------------------


def test_the_sheet_shows_every_item_with_its_key_facts(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    response = as_user(world.erik).get(assess_url(council))
    assert response.status_code == 200
    for application in (council.annas, council.bos):
        section = item_html(response.content, application)
        assert application.case_number in section
        assert application.association.name in section
        assert application.title in section
        assert "Opfylder kriterierne" in section  # the screening note
        assert reverse("applications:application_detail", args=[application.pk]) in section
        assert f'action="{assess_url(council, application)}"' in section
    # erik is the chair: the sheet links to the overview.
    assert overview_url(council) in response.content.decode()


def test_members_record_and_change_their_assessments_through_the_page(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.erik)
    response = client.post(
        assess_url(council, council.bos),
        {"outcome": "partial", "amount": "12000", "comment": "Godt projekt"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{council.bos.pk}")
    saved = Assessment.objects.get(application=council.bos, member=world.erik)
    assert (saved.outcome, saved.amount, saved.comment) == (
        "partial",
        Decimal("12000.00"),
        "Godt projekt",
    )
    # The sheet shows it, and saving again changes the same assessment.
    section = item_html(client.get(assess_url(council)).content, council.bos)
    assert 'data-assessment="partial"' in section
    client.post(assess_url(council, council.bos), {"outcome": "refuse", "comment": "Nej"})
    saved.refresh_from_db()
    assert (saved.outcome, saved.amount) == ("refuse", Decimal("0"))
    assert Assessment.objects.filter(application=council.bos).count() == 1


def test_an_htmx_save_answers_with_the_item_alone(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.erik)
    response = client.post(
        assess_url(council, council.bos), {"outcome": "grant"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<section")
    assert "<html" not in html
    assert f'id="item-{council.bos.pk}"' in html and 'role="status"' in html
    bad = client.post(
        assess_url(council, council.bos), {"outcome": "partial"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400
    assert f'id="a{council.bos.pk}-amount-error"' in bad.content.decode()
    assert Assessment.objects.get(application=council.bos).outcome == "grant"


def test_dorte_has_no_form_on_annas_item_and_is_refused_there_but_assesses_bos(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.dorte)
    page = client.get(assess_url(council), HTTP_ACCEPT_LANGUAGE="en")
    annas_item = item_html(page.content, council.annas)
    assert "<form" not in annas_item
    assert "data-conflicted" in annas_item
    assert "You are conflicted on this item and take no part" in annas_item
    assert "<form" in item_html(page.content, council.bos)

    refused = client.post(assess_url(council, council.annas), {"outcome": "grant"})
    assert refused.status_code == 403
    assert not Assessment.objects.exists()

    allowed = client.post(assess_url(council, council.bos), {"outcome": "grant"})
    assert allowed.status_code == 302
    assert Assessment.objects.get().application == council.bos


def test_a_member_not_present_gets_no_forms_and_is_refused(
    world: SimpleNamespace, as_user: Any
) -> None:
    bos = in_review(world, world.b)
    meeting = make_meeting(world, [world.erik])  # dorte is not registered as present
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    council = SimpleNamespace(meeting=meeting)
    client = as_user(world.dorte)
    page = client.get(assess_url(council))
    assert page.status_code == 200
    assert 'id="not-present"' in page.content.decode()
    assert "<form" not in item_html(page.content, bos)
    refused = client.post(assess_url(council, bos), {"outcome": "grant"})
    assert refused.status_code == 403
    assert not Assessment.objects.exists()
    # Registered as present, the same request goes through.
    meeting.members_present.add(world.dorte)
    assert client.post(assess_url(council, bos), {"outcome": "grant"}).status_code == 302
    assert Assessment.objects.filter(member=world.dorte).count() == 1


def test_an_application_not_on_the_agenda_is_not_found(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    elsewhere = in_review(world, world.b)  # in review, but not on this meeting's agenda
    response = as_user(world.erik).post(assess_url(council, elsewhere), {"outcome": "grant"})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "partial", "amount": ""}, "amount"),  # partial with no amount
        ({"outcome": "partial", "amount": "30000"}, "amount"),  # above the 25.000 requested
        ({"outcome": "partial", "amount": "abc"}, "amount"),
        ({"outcome": ""}, "outcome"),
    ],
)
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any, data: dict, field: str
) -> None:
    client = as_user(world.erik)
    # Something typed on another item must not be touched by the failure.
    assert client.post(assess_url(council, council.annas), {"outcome": "grant"}).status_code == 302
    response = client.post(assess_url(council, council.bos), {**data, "comment": "Min kommentar"})
    assert response.status_code == 400
    section = item_html(response.content, council.bos)
    assert f'id="a{council.bos.pk}-{field}-error"' in section
    assert "Min kommentar" in section  # what was typed is kept
    assert "-error" not in item_html(response.content, council.annas)
    assert not Assessment.objects.filter(application=council.bos).exists()


def test_assessments_close_once_the_council_has_recommended(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    engine.perform(council.bos, "recommend", user=world.erik, outcome="grant")
    client = as_user(world.erik)
    section = item_html(client.get(assess_url(council)).content, council.bos)
    assert f'action="{assess_url(council, council.bos)}"' not in section
    response = client.post(assess_url(council, council.bos), {"outcome": "grant"})
    assert response.status_code == 400
    assert not Assessment.objects.exists()


# --- who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["recommend", "decide"])
def test_a_council_member_can_neither_recommend_nor_decide(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any, name: str
) -> None:
    application = council.bos
    if name == "decide":
        application = engine.perform(
            council.bos, "recommend", user=world.erik, outcome="partial", amount="20000", reason="x"
        )
        on_agenda(application, world)  # a committee meeting, frida present
    before = (application.status, application.version)
    url = reverse("applications:application_act", args=[application.pk, name])
    data = {
        "outcome": "grant",
        "amount": "20000",
        "reason": "Som indstillet",
        "seen_status": application.status,
        "seen_version": application.version,
        **NO_HEARING,  # a cut: fvl. § 19 (the recommendation ignores these fields)
    }
    refused = as_user(world.dorte).post(url, data)
    assert refused.status_code == 403
    application.refresh_from_db()
    assert (application.status, application.version) == before
    # The chair of the right body may: the refusal came from the rule.
    chair = world.erik if name == "recommend" else world.frida
    assert as_user(chair).post(url, data).status_code == 302
    application.refresh_from_db()
    assert application.status != before[0]


@pytest.mark.parametrize("who", ["carl", "gustav", "frida"])
def test_staff_outside_the_council_may_not_use_the_sheet(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any, who: str
) -> None:
    client = as_user(getattr(world, who))
    assert client.get(assess_url(council)).status_code == 403
    assert client.post(assess_url(council, council.bos), {"outcome": "grant"}).status_code == 403
    assert not Assessment.objects.exists()


def test_a_committee_meeting_has_no_assessment_sheet(world: SimpleNamespace, as_user: Any) -> None:
    committee = make_meeting(world, [world.frida], body=Body.COMMITTEE)
    response = as_user(world.erik).get(reverse("council:meeting_assess", args=[committee.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("erik", 200), ("carl", 200), ("gustav", 200), ("dorte", 403), ("frida", 403), ("anna", 404)],
)
def test_who_sees_the_chairs_overview(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any, who: str, status: int
) -> None:
    conflict_declare(application=council.bos, member=world.dorte, reason="Min søster er formand")
    response = as_user(getattr(world, who)).get(overview_url(council))
    assert response.status_code == status
    if status == 200:
        # Only the chair gets the ruling form; the case officer and the auditor read.
        has_form = reverse("council:conflict_rule", args=[ConflictDeclaration.objects.get().pk])
        assert (has_form in response.content.decode()) == (who == "erik")


def outsider_requests(council: SimpleNamespace) -> list[tuple[str, str, dict]]:
    declaration = ConflictDeclaration.objects.get()
    return [
        ("get", assess_url(council), {}),
        ("post", assess_url(council, council.bos), {"outcome": "grant"}),
        ("get", overview_url(council), {}),
        ("get", reverse("council:conflict_declare", args=[council.bos.pk]), {}),
        (
            "post",
            reverse("council:conflict_declare", args=[council.bos.pk]),
            {"reason": "Tilknyttet"},
        ),
        ("get", reverse("council:conflict_rule", args=[declaration.pk]), {}),
        (
            "post",
            reverse("council:conflict_rule", args=[declaration.pk]),
            {"conflicted": "no", "reason": "x"},
        ),
    ]


@pytest.mark.parametrize("who", ["ivan", "helle", "anna"])
def test_staff_of_another_municipality_and_applicants_find_nothing(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any, who: str
) -> None:
    declaration = conflict_declare(application=council.bos, member=world.dorte, reason="Nabo")
    client = as_user(getattr(world, who))
    for method, url, data in outsider_requests(council):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
    assert not Assessment.objects.exists()
    declaration.refresh_from_db()
    assert declaration.ruling == "pending"
    assert ConflictDeclaration.objects.count() == 1


# --- conflicts of interest ----------------------------------------------------------------


def test_declaring_a_conflict_on_the_sheet_takes_the_member_off_the_item(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.dorte)
    response = client.post(
        reverse("council:conflict_declare", args=[council.bos.pk]),
        {"reason": "Min søster er formand", "meeting": council.meeting.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{assess_url(council)}#item-{council.bos.pk}"
    declaration = ConflictDeclaration.objects.get(application=council.bos, member=world.dorte)
    assert (declaration.source, declaration.ruling) == ("declared", "pending")
    record = TransitionRecord.objects.filter(application=council.bos).last()
    assert (record.flow, record.transition, record.actor) == (
        "conflicts",
        "declare_conflict",
        world.dorte,
    )
    section = item_html(client.get(assess_url(council)).content, council.bos)
    assert "data-conflicted" in section and "<form" not in section
    refused = client.post(assess_url(council, council.bos), {"outcome": "grant"})
    assert refused.status_code == 403
    assert not Assessment.objects.exists()


def test_a_declaration_needs_a_reason(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    response = as_user(world.dorte).post(
        reverse("council:conflict_declare", args=[council.bos.pk]),
        {"reason": "   ", "meeting": council.meeting.pk},
    )
    assert response.status_code == 400
    assert f'id="d{council.bos.pk}-reason-error"' in item_html(response.content, council.bos)
    assert not ConflictDeclaration.objects.exists()
    assert not TransitionRecord.objects.filter(flow="conflicts").exists()


def test_a_committee_member_declares_from_the_application_page(
    world: SimpleNamespace, as_user: Any
) -> None:
    bos = in_review(world, world.b)
    client = as_user(world.frida)
    url = reverse("council:conflict_declare", args=[bos.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400
    assert f'id="d{bos.pk}-reason-error"' in empty.content.decode()
    done = client.post(url, {"reason": "Jeg er frivillig i foreningen"})
    assert done.status_code == 302
    assert done["Location"] == reverse("applications:application_detail", args=[bos.pk])
    assert ConflictDeclaration.objects.get().member == world.frida
    # A second declaration on the same application is refused with a message, not a crash.
    again = client.post(url, {"reason": "Igen"})
    assert again.status_code == 400
    assert ConflictDeclaration.objects.count() == 1


# Issue 16: a case officer (carl) declares ties too; see tests/cases/test_disqualification.py.
@pytest.mark.parametrize("who", ["anna", "gustav"])
def test_only_those_who_act_on_cases_may_declare(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any, who: str
) -> None:
    url = reverse("council:conflict_declare", args=[council.annas.pk])
    client = as_user(getattr(world, who))
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Tilknyttet"}).status_code == 403
    assert not ConflictDeclaration.objects.exists()


@pytest.mark.parametrize(("ruling", "conflicted"), [("no", False), ("yes", True)])
def test_the_chairs_ruling_clears_or_keeps_a_declared_conflict(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any, ruling: str, conflicted: bool
) -> None:
    declaration = conflict_declare(
        application=council.bos, member=world.dorte, reason="Min søster er formand"
    )
    response = as_user(world.erik).post(
        reverse("council:conflict_rule", args=[declaration.pk]),
        {"conflicted": ruling, "reason": "Drøftet på mødet", "meeting": council.meeting.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == overview_url(council)
    declaration.refresh_from_db()
    assert declaration.ruling == ("conflicted" if conflicted else "not_conflicted")
    assert (declaration.ruled_by, declaration.ruling_reason) == (world.erik, "Drøftet på mødet")
    record = TransitionRecord.objects.filter(application=council.bos).last()
    assert (record.transition, record.payload["ruling"]) == ("rule_conflict", declaration.ruling)

    dorte = as_user(world.dorte)
    section = item_html(dorte.get(assess_url(council)).content, council.bos)
    assert ("data-conflicted" in section) == conflicted
    answer = dorte.post(assess_url(council, council.bos), {"outcome": "grant"})
    assert answer.status_code == (403 if conflicted else 302)
    assert Assessment.objects.filter(member=world.dorte).exists() == (not conflicted)


def test_a_member_cannot_rule_on_their_own_declaration(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    """Issue 16 (fvl. § 6): the council rules without the member concerned. When the chair is
    the one concerned, another member present records the council's ruling; while another
    chair is free, an ordinary member may not record it."""
    declaration = conflict_declare(
        application=council.bos, member=world.erik, reason="Jeg er frivillig der"
    )
    url = reverse("council:conflict_rule", args=[declaration.pk])
    data = {"conflicted": "no", "reason": "Ubetydelig", "meeting": council.meeting.pk}
    # erik, the chair, is refused on his own declaration; his overview offers no form for it.
    assert as_user(world.erik).post(url, data).status_code == 403
    assert url not in as_user(world.erik).get(overview_url(council)).content.decode()
    # While another chair of the council (vibeke) is free, dorte, a member, may not record it.
    vice = UserFactory(username="vibeke", first_name="Vibeke")
    give_role(vice, world.roskilde, "council_chair")
    assert as_user(world.dorte).post(url, data).status_code == 403
    vice.staff_roles.all().delete()
    declaration.refresh_from_db()
    assert declaration.ruling == "pending"
    # With the only chair concerned, dorte records the council's ruling, erik taking no part.
    assert as_user(world.dorte).post(url, data).status_code == 302
    declaration.refresh_from_db()
    assert declaration.ruling == "not_conflicted"
    assert declaration.ruled_by == world.dorte
    assert list(declaration.ruling_participants.all()) == [world.dorte]


def test_a_ruling_needs_a_choice_and_reasons(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    declaration = conflict_declare(application=council.bos, member=world.dorte, reason="Nabo")
    response = as_user(world.erik).post(
        reverse("council:conflict_rule", args=[declaration.pk]),
        {"reason": "", "meeting": council.meeting.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="r{declaration.pk}-conflicted-error"' in html
    assert f'id="r{declaration.pk}-reason-error"' in html
    declaration.refresh_from_db()
    assert declaration.ruling == "pending"
    assert not TransitionRecord.objects.filter(transition="rule_conflict").exists()


def test_the_application_page_panel_offers_the_declaration_to_those_who_act_only(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    from web.council.views import declare_conflict_panel

    assert declare_conflict_panel(world.anna, council.bos) is None
    assert declare_conflict_panel(world.gustav, council.bos) is None
    html = render_to_string(
        "council/_declare_conflict.html",
        {"panel": declare_conflict_panel(world.frida, council.bos)},
    )
    assert f'action="{reverse("council:conflict_declare", args=[council.bos.pk])}"' in html
    board = render_to_string(
        "council/_declare_conflict.html",
        {"panel": declare_conflict_panel(world.dorte, council.annas)},
    )
    assert "data-conflicted" in board and "<form" not in board
    assert render_to_string("council/_declare_conflict.html", {}).strip() == ""


# --- the chair's overview -----------------------------------------------------------------


def test_the_overview_sets_the_assessments_side_by_side(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    helga = UserFactory(username="helga", first_name="Helga")
    give_role(helga, world.roskilde, "council_member")
    council.meeting.members_present.add(helga)
    for member, outcome, amount in (
        (world.erik, "partial", "10000"),
        (world.dorte, "refuse", None),
        (helga, "partial", "20000"),
    ):
        assessment_record(
            meeting=council.meeting,
            application=council.bos,
            member=member,
            outcome=outcome,
            amount=amount,
            comment="",
        )
    assessment_record(
        meeting=council.meeting,
        application=council.annas,
        member=world.erik,
        outcome="grant",
        amount=None,
        comment="Fint",
    )
    response = as_user(world.erik).get(overview_url(council), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    bos_row = re.search(rf'<tr id="row-{council.bos.pk}">.*?</tr>', html, re.S).group(0)
    annas_row = re.search(rf'<tr id="row-{council.annas.pk}">.*?</tr>', html, re.S).group(0)
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', bos_row))
    assert counts == {"grant": "0", "partial": "2", "refuse": "1", "missing": "0"}
    assert "10,000.00" in bos_row and "20,000.00" in bos_row  # lowest and highest
    assert re.search(r"data-median>DKK 10,000.00<", bos_row)  # median of 0, 10.000, 20.000
    # On anna's item dorte left; helga has not assessed yet.
    assert re.search(rf'data-member="{world.dorte.pk}">\s*<span[^>]*data-conflicted', annas_row)
    assert dict(re.findall(r'data-count="(\w+)">(\d+)<', annas_row)) == {
        "grant": "1",
        "partial": "0",
        "refuse": "0",
        "missing": "1",
    }
    assert reverse("applications:application_act", args=[council.bos.pk, "recommend"]) in bos_row
    # Sum of the medians (10.000 + 25.000) against the pool (325.000).
    totals = re.search(r'<dl id="totals">.*?</dl>', html, re.S).group(0)
    assert "35,000.00" in totals and "325,000.00" in totals and "290,000.00" in totals


def test_a_conflicted_assessment_no_longer_counts(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    assessment_record(
        meeting=council.meeting,
        application=council.bos,
        member=world.dorte,
        outcome="grant",
        amount=None,
        comment="",
    )
    conflict_declare(application=council.bos, member=world.dorte, reason="Opdaget senere")
    html = as_user(world.erik).get(overview_url(council)).content.decode()
    bos_row = re.search(rf'<tr id="row-{council.bos.pk}">.*?</tr>', html, re.S).group(0)
    assert dict(re.findall(r'data-count="(\w+)">(\d+)<', bos_row))["grant"] == "0"
    assert "data-conflicted" in bos_row


def test_the_overviews_quorum_is_the_flows_quorum(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    from cases.permissions import council_quorum
    from cases.selectors.council import assessments_overview

    helga = UserFactory(username="helga", first_name="Helga")
    give_role(helga, world.roskilde, "council_member")  # a member, absent
    conflict_declare(application=council.bos, member=world.erik, reason="Frivillig der")
    rows = assessments_overview(council.meeting).rows
    assert [r.application for r in rows] == [council.annas, council.bos]
    for row in rows:
        expected = council_quorum(row.application, council.meeting)
        assert row.quorum == expected
    # anna's: dorte left, erik present of erik+helga -> 1 of 2 needed; bo's: erik left.
    assert [r.quorum["met"] for r in rows] == [False, False]


def test_the_chair_gets_the_bulk_link(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    html = as_user(world.erik).get(overview_url(council)).content.decode()
    bulk = reverse("bulk:meeting_bulk", args=[council.meeting.pk])
    assert f'href="{bulk}" id="bulk-link"' in html
    # The case officer reads the overview but records nothing: no bulk or recommend links.
    carls = as_user(world.carl).get(overview_url(council)).content.decode()
    assert 'id="bulk-link"' not in carls and "data-recommend" not in carls


# --- query counts -------------------------------------------------------------------------


def grow_agenda(world: SimpleNamespace, meeting: Meeting, n: int) -> None:
    """Fill the agenda to n items, made directly in review (fixture data, not a transition)."""
    while AgendaItem.objects.filter(meeting=meeting).count() < n:
        association = world.a if AgendaItem.objects.count() % 2 else world.b
        application = ApplicationFactory(
            round=world.round,
            association=association,
            status="in_council_review",
            complete=False,
        )
        agenda_add(meeting=meeting, applications=[application], acting_user=world.carl)
        Assessment.objects.create(
            meeting=meeting,
            application=application,
            member=world.erik,
            outcome="partial",
            amount=Decimal("1000"),
        )
        if association == world.b:
            ConflictDeclaration.objects.create(
                application=application, member=world.dorte, source="declared", reason="Nabo"
            )


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_sheet_and_the_overview_do_not_grow_with_the_agenda(
    world: SimpleNamespace, client: Any
) -> None:
    meeting = make_meeting(world, [world.dorte, world.erik])
    council = SimpleNamespace(meeting=meeting)
    grow_agenda(world, meeting, 10)
    client.force_login(world.dorte)
    sheet_small = count_queries(client, assess_url(council))
    client.force_login(world.erik)
    overview_small = count_queries(client, overview_url(council))

    grow_agenda(world, meeting, 300)
    client.force_login(world.dorte)
    sheet_large = count_queries(client, assess_url(council))
    client.force_login(world.erik)
    overview_large = count_queries(client, overview_url(council))

    # session, user, staff roles with association ties, the meeting, members present,
    # the agenda with applications and associations, the member's assessments,
    # the member's declarations, the header's unread-notification count
    assert sheet_small == sheet_large == 9
    # session, user, staff roles with association ties, the meeting, members present,
    # the agenda, all assessments, the council's members, board ties, declarations,
    # the declaring members' bodies and the council's chairs (who may record the rulings:
    # issue 16), the header's unread count
    assert overview_small == overview_large == 13


def test_an_empty_agenda_renders_both_pages(world: SimpleNamespace, as_user: Any) -> None:
    council = SimpleNamespace(meeting=make_meeting(world, [world.erik]))
    client = as_user(world.erik)
    sheet = client.get(assess_url(council))
    assert sheet.status_code == 200 and "<section" not in sheet.content.decode()
    overview = client.get(overview_url(council))
    # One member present: the empty row spans the item, the recommendation, erik's column
    # and the assessments, proposed amounts, requested and quorum columns.
    assert overview.status_code == 200 and 'colspan="7"' in overview.content.decode()
