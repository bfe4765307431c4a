"""The agenda (dagsorden) and the minutes (referat / beslutningsprotokol): pages and PDFs,
what they say, and that they cost the same number of queries for 10 and for 300 items."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from cases.documents import meetings as meeting_documents
from cases.models import Application, Body, Meeting
from cases.services.meeting_prep import ready_applications
from cases.services.meetings import (
    agenda_add_all_ready,
    assessment_record,
    conflict_declare,
    conflict_rule,
    meeting_create,
)
from tests.conftest import NO_HEARING
from tests.factories import ApplicationFactory, AssociationFactory
from workflows import engine

from .test_meeting_screens import in_review

pytestmark = pytest.mark.django_db

COUNCIL_DATE = datetime.date(2026, 2, 1)
COMMITTEE_DATE = datetime.date(2026, 2, 15)


def squeeze(value: str) -> str:
    return " ".join(value.split())


def page_text(response: Any) -> str:
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return squeeze(html.replace("&nbsp;", " "))


def pdf_text(pdf: bytes, tmp_path: Any, tool: str = "pdftotext") -> str:
    assert shutil.which(tool), f"{tool} is missing: install Debian's poppler-utils"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def meeting(world: SimpleNamespace, body: str, present: list[Any]) -> Meeting:
    return meeting_create(
        grant_round=world.round,
        body=body,
        date=COUNCIL_DATE if body == Body.COUNCIL else COMMITTEE_DATE,
        members_present=present,
        acting_user=world.carl,
    )


@pytest.fixture
def council_meeting(world: SimpleNamespace) -> SimpleNamespace:
    """The council met: dorte (on A's board) and erik present, anna's and bo's applications.

    dorte declared a tie to bo's association, which erik ruled no conflict; both assessed
    bo's; erik recommended anna's in part. bo's is not dealt with yet.
    """
    annas, bos = in_review(world, world.a), in_review(world, world.b)
    council = meeting(world, Body.COUNCIL, [world.dorte, world.erik])
    agenda_add_all_ready(meeting=council, acting_user=world.carl)
    declaration = conflict_declare(
        application=bos, member=world.dorte, reason="Min nabo er kasserer"
    )
    conflict_rule(
        declaration=declaration,
        acting_user=world.erik,
        conflicted=False,
        reason="Fjern relation",
        meeting=council,
    )
    for member, outcome in ((world.dorte, "grant"), (world.erik, "refuse")):
        assessment_record(
            meeting=council,
            application=bos,
            member=member,
            outcome=outcome,
            amount=None,
            comment="",
        )
    assessment_record(
        meeting=council,
        application=annas,
        member=world.erik,
        outcome="partial",
        amount="15000",
        comment="",
    )
    annas = engine.perform(
        annas,
        "recommend",
        user=world.erik,
        outcome="partial",
        amount="15000",
        reason="Puljen er søgt mange gange over",
    )
    return SimpleNamespace(meeting=council, annas=annas, bos=bos)


@pytest.fixture
def committee_meeting(world: SimpleNamespace, council_meeting: SimpleNamespace) -> SimpleNamespace:
    """The committee met with frida: it granted anna's 15,000 of the 25,000 asked, as the
    council recommended, and sent bo's (recommended for refusal) back to the council."""
    bos = engine.perform(
        council_meeting.bos,
        "recommend",
        user=world.erik,
        outcome="refuse",
        reason="Uden for målgruppen",
    )
    committee = meeting(world, Body.COMMITTEE, [world.frida])
    agenda_add_all_ready(meeting=committee, acting_user=world.carl)
    annas = engine.perform(
        council_meeting.annas,
        "decide",
        user=world.frida,
        outcome="grant",
        amount="15000",
        reason="Som indstillet af Frivillighedsrådet",
        **NO_HEARING,
    )
    bos = engine.perform(
        bos, "send_back", user=world.frida, reason="Rådet bør se på budgettet igen"
    )
    return SimpleNamespace(meeting=committee, annas=annas, bos=bos, council=council_meeting.meeting)


# --- the agenda -------------------------------------------------------------------------


def test_the_council_agenda_lists_each_item_with_its_facts_and_the_conflicts_known(
    world: SimpleNamespace, as_user: Any
) -> None:
    annas, bos = in_review(world, world.a), in_review(world, world.b)
    council = meeting(world, Body.COUNCIL, [world.dorte, world.erik])
    agenda_add_all_ready(meeting=council, acting_user=world.carl)

    text = page_text(as_user(world.erik).get(reverse("meetings:meeting_agenda", args=[council.pk])))

    assert "Roskilde Kommune" in text and "Frivillighedsrådet" in text
    assert "1. februar 2026" in text and "§ 18-puljen 2027" in text
    first = text.index(f"Punkt 1: sag {annas.case_number}")
    second = text.index(f"Punkt 2: sag {bos.case_number}")
    item_1, item_2 = text[first:second], text[second:]
    for expected in ("Lektiecaféen", "Lektiecafé for børn", "Ensomhed", "25.000,00 kr."):
        assert expected in item_1
    assert "Opfylder kriterierne" in item_1  # the screening note
    # dorte sits on Lektiecaféen's board: she must leave item 1, not item 2.
    assert (
        "Dorte: Medlem af foreningens bestyrelse – inhabil: forlader mødet under punktet" in item_1
    )
    assert "Dorte" not in item_2
    # The council agenda carries no recommendation yet; the totals: 2 × 25,000 against the pool.
    assert "Frivillighedsrådets indstilling" not in text
    assert "Ansøgt på denne dagsorden 50.000,00 kr." in text
    assert "Puljen 325.000,00 kr." in text
    assert "Tilbage i puljen 325.000,00 kr." in text


def test_the_committee_agenda_shows_the_councils_recommendation_and_the_totals(
    world: SimpleNamespace, as_user: Any, council_meeting: SimpleNamespace
) -> None:
    already = ApplicationFactory(
        round=world.round, association=world.b, status="granted", granted_amount=Decimal("100000")
    )
    committee = meeting(world, Body.COMMITTEE, [world.frida])
    agenda_add_all_ready(meeting=committee, acting_user=world.carl)

    text = page_text(
        as_user(world.frida).get(reverse("meetings:meeting_agenda", args=[committee.pk]))
    )

    assert council_meeting.annas.case_number in text
    assert council_meeting.bos.case_number not in text  # not recommended: not on this agenda
    assert already.case_number not in text
    assert "Frivillighedsrådets indstilling Delvis støtte: 15.000,00 kr." in text
    assert "Puljen er søgt mange gange over" in text
    assert "Indstillet af Frivillighedsrådet på denne dagsorden 15.000,00 kr." in text
    assert "Allerede bevilget i puljen 100.000,00 kr." in text
    assert "Tilbage i puljen 225.000,00 kr." in text


def test_the_agenda_is_in_english_for_a_user_who_chose_english(
    world: SimpleNamespace, as_user: Any, council_meeting: SimpleNamespace
) -> None:
    client = as_user(world.carl)
    client.post("/i18n/setlang/", {"language": "en"})
    text = page_text(
        client.get(reverse("meetings:meeting_agenda", args=[council_meeting.meeting.pk]))
    )
    assert "Agenda: Frivillighedsrådet, Feb. 1, 2026" in text
    assert f"Item 1: case {council_meeting.annas.case_number}" in text
    assert "DKK 25,000.00" in text


def test_text_from_the_cases_is_escaped(world: SimpleNamespace, as_user: Any) -> None:
    hostile = AssociationFactory(name="<script>alert(1)</script>")
    application = ApplicationFactory(
        round=world.round, association=hostile, status="in_council_review"
    )
    council = meeting(world, Body.COUNCIL, [world.erik])
    agenda_add_all_ready(meeting=council, acting_user=world.carl)
    client = as_user(world.carl)
    for name in ("meetings:meeting_agenda", "meetings:meeting_minutes"):
        html = client.get(reverse(name, args=[council.pk])).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert application.case_number in html


# --- the minutes ------------------------------------------------------------------------


def test_the_council_minutes_record_presence_recusal_rulings_assessments_and_recommendations(
    world: SimpleNamespace, as_user: Any, council_meeting: SimpleNamespace
) -> None:
    annas, bos = council_meeting.annas, council_meeting.bos

    text = page_text(
        as_user(world.gustav).get(
            reverse("meetings:meeting_minutes", args=[council_meeting.meeting.pk])
        )
    )

    present = text[text.index("Til stede") : text.index("Budget")]
    assert "Dorte (Medlem af Frivillighedsrådet)" in present
    assert "Erik (Medlem af Frivillighedsrådet, Formand for Frivillighedsrådet)" in present
    item_1 = text[text.index(f"Punkt 1: sag {annas.case_number}") : text.index("Punkt 2")]
    item_2 = text[text.index(f"Punkt 2: sag {bos.case_number}") :]
    # dorte's recusal on anna's application (board tie), and only there.
    assert "Dorte var inhabil og forlod mødet under behandlingen af punktet." in item_1
    assert "forlod mødet" not in item_2
    assert "Indstilling: Delvis støtte, 15.000,00 kr." in item_1
    assert "Begrundelse: Puljen er søgt mange gange over" in item_1
    assert "Registreret af Erik (erik)" in item_1
    assert "Individuelle vurderinger: Delvis støtte: 1." in item_1
    # dorte's declared tie to bo's association, the chair's ruling and its reasons.
    assert "Dorte: erklærede en tilknytning: »Min nabo er kasserer«." in item_2
    assert "Afgørelse truffet af Erik: Ikke inhabil. Begrundelse: Fjern relation" in item_2
    assert "Individuelle vurderinger: Fuld støtte: 1; Afslag: 1." in item_2
    assert "Ikke behandlet på dette møde (status: Til behandling i Frivillighedsrådet)." in item_2
    assert "1 af 2 punkter behandlet." in text
    assert "Indstillet på dette møde 15.000,00 kr." in text


def test_a_declared_tie_awaiting_a_ruling_counts_as_a_conflict_in_the_minutes(
    world: SimpleNamespace, as_user: Any
) -> None:
    bos = in_review(world, world.b)
    council = meeting(world, Body.COUNCIL, [world.dorte, world.erik])
    agenda_add_all_ready(meeting=council, acting_user=world.carl)
    conflict_declare(application=bos, member=world.dorte, reason="Jeg er frivillig der")

    text = page_text(
        as_user(world.carl).get(reverse("meetings:meeting_minutes", args=[council.pk]))
    )

    assert "Organet har ikke taget stilling; det regnes som inhabilitet." in text
    assert "Dorte var inhabil og forlod mødet under behandlingen af punktet." in text


def test_the_committee_minutes_record_decisions_send_backs_and_overruns(
    world: SimpleNamespace, as_user: Any, committee_meeting: SimpleNamespace
) -> None:
    client = as_user(world.frida)
    text = page_text(
        client.get(reverse("meetings:meeting_minutes", args=[committee_meeting.meeting.pk]))
    )

    item_1 = text[text.index(f"sag {committee_meeting.annas.case_number}") : text.index("Punkt 2")]
    item_2 = text[text.index(f"sag {committee_meeting.bos.case_number}") :]
    assert "Afgørelse: Fuld bevilling, 15.000,00 kr." not in item_1  # 15,000 of 25,000
    assert "Afgørelse: Delvis bevilling, 15.000,00 kr." in item_1
    assert "Begrundelse: Som indstillet af Frivillighedsrådet" in item_1
    assert "Sendt tilbage til Frivillighedsrådet" in item_2
    assert "Rådet bør se på budgettet igen" in item_2
    assert "Bevilget på dette møde 15.000,00 kr." in text
    # The council's minutes do not carry the committee's decision, nor its send-back.
    council = page_text(
        client.get(reverse("meetings:meeting_minutes", args=[committee_meeting.council.pk]))
    )
    assert "Som indstillet af Frivillighedsrådet" not in council
    assert "Rådet bør se på budgettet igen" not in council


def test_an_overrun_confirmed_by_the_chair_is_in_the_minutes_with_its_reasons(
    world: SimpleNamespace, as_user: Any
) -> None:
    world.round.pool_amount = Decimal("10000")
    world.round.save()
    application = ApplicationFactory(
        round=world.round,
        association=world.b,
        status="recommended",
        recommendation_outcome="grant",
        recommended_amount=Decimal("25000"),
    )
    committee = meeting(world, Body.COMMITTEE, [world.frida])
    agenda_add_all_ready(meeting=committee, acting_user=world.carl)
    engine.perform(
        application,
        "decide",
        user=world.frida,
        outcome="grant",
        confirm_overrun=True,
        overrun_reason="Særlig indsats i vinter",
    )

    text = page_text(
        as_user(world.carl).get(reverse("meetings:meeting_minutes", args=[committee.pk]))
    )

    assert "Afgørelse: Fuld bevilling, 25.000,00 kr." in text
    assert (
        "Formanden bekræftede at overskride puljen: bevillingerne i puljen kom op på "
        "25.000,00 kr. mod en pulje på 10.000,00 kr. Begrundelse: Særlig indsats i vinter"
    ) in text


def test_a_send_back_belongs_to_the_committee_meeting_that_existed_when_it_happened(
    world: SimpleNamespace,
) -> None:
    from cases.trail.models import TransitionRecord

    application = ApplicationFactory(
        round=world.round,
        association=world.b,
        status="recommended",
        recommendation_outcome="grant",
        recommended_amount=Decimal("25000"),
    )
    early = meeting(world, Body.COMMITTEE, [world.frida])
    agenda_add_all_ready(meeting=early, acting_user=world.carl)
    engine.perform(application, "send_back", user=world.frida, reason="Mangler budget")
    later = meeting(world, Body.COMMITTEE, [world.frida])
    later.date = datetime.date(2027, 3, 1)
    later.save()
    # Pretend it was on the later meeting too; the send-back still belongs to the early one.
    from cases.models import AgendaItem

    AgendaItem.objects.create(meeting=later, application=application, position=1)
    assert TransitionRecord.objects.filter(transition="send_back").count() == 1

    with override("en"):
        early_rows = meeting_documents.minutes_context(early)["rows"]
        later_rows = meeting_documents.minutes_context(later)["rows"]
    assert [a.record.reason for a in early_rows[0].actions] == ["Mangler budget"]
    assert later_rows[0].actions == []


# --- PDFs -------------------------------------------------------------------------------


def test_the_agenda_pdf_is_an_a4_attachment_naming_the_case_and_the_conflict(
    world: SimpleNamespace, as_user: Any, council_meeting: SimpleNamespace, tmp_path: Any
) -> None:
    response = as_user(world.dorte).get(
        reverse("meetings:meeting_agenda_pdf", args=[council_meeting.meeting.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="dagsorden-frivillighedsradet-2026-02-01.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = squeeze(pdf_text(response.content, tmp_path))
    assert council_meeting.annas.case_number in text
    assert "Dagsorden" in text and "Frivillighedsrådet" in text
    assert "inhabil" in text
    assert "25.000,00 kr." in text
    assert re.search(r"Page size:.*\(A4\)", pdf_text(response.content, tmp_path, tool="pdfinfo"))


def test_the_minutes_pdf_carries_the_recusal_and_the_decisions_with_reasons(
    world: SimpleNamespace, as_user: Any, committee_meeting: SimpleNamespace, tmp_path: Any
) -> None:
    client = as_user(world.gustav)
    council = client.get(
        reverse("meetings:meeting_minutes_pdf", args=[committee_meeting.council.pk])
    )
    committee = client.get(
        reverse("meetings:meeting_minutes_pdf", args=[committee_meeting.meeting.pk])
    )

    assert council["Content-Type"] == committee["Content-Type"] == "application/pdf"
    assert (
        committee["Content-Disposition"]
        == 'attachment; filename="referat-kultur-og-fritidsudvalget-2026-02-15.pdf"'
    )
    council_text = squeeze(pdf_text(council.content, tmp_path))
    assert committee_meeting.annas.case_number in council_text
    assert "Dorte var inhabil og forlod mødet under behandlingen af punktet." in council_text
    assert "Puljen er søgt mange gange over" in council_text
    committee_text = squeeze(pdf_text(committee.content, tmp_path))
    assert "Delvis bevilling, 15.000,00 kr." in committee_text
    assert "Som indstillet af Frivillighedsrådet" in committee_text


# --- queries ----------------------------------------------------------------------------


def fill(world: SimpleNamespace, council: Meeting, committee: Meeting, n: int) -> None:
    """n applications on each meeting's agenda (fixture data, made directly in their state),
    half of them from association A, whose board dorte sits on."""
    for body, meeting_, status in (
        (Body.COUNCIL, council, "in_council_review"),
        (Body.COMMITTEE, committee, "recommended"),
    ):
        have = meeting_.agenda_items.count() + ready_applications(meeting_).count()
        for i in range(have, n):
            application = ApplicationFactory(
                round=world.round,
                association=world.a if i % 2 else world.b,
                status=status,
                screening_note="Opfylder kriterierne",
                recommendation_outcome="grant" if body == Body.COMMITTEE else "",
                recommended_amount=Decimal("25000") if body == Body.COMMITTEE else None,
                complete=False,
            )
            application.focus_areas.set([world.focus])
        agenda_add_all_ready(meeting=meeting_, acting_user=world.carl)


def count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_agenda_and_the_minutes_cost_the_same_queries_for_10_and_300_items(
    world: SimpleNamespace, as_user: Any
) -> None:
    council = meeting(world, Body.COUNCIL, [world.dorte, world.erik])
    committee = meeting(world, Body.COMMITTEE, [world.frida])
    fill(world, council, committee, 10)
    # Something recorded on each meeting, so the minutes read real trail records and
    # assessments; a declared tie with a ruling, so the conflicts are not only board ties.
    first = council.agenda_items.order_by("position").first().application
    bos_first = council.agenda_items.filter(application__association=world.b).first().application
    assessment_record(
        meeting=council,
        application=bos_first,
        member=world.dorte,
        outcome="grant",
        amount=None,
        comment="",
    )
    engine.perform(first, "recommend", user=world.erik, outcome="grant")
    declaration = conflict_declare(application=bos_first, member=world.dorte, reason="Bekendt")
    conflict_rule(
        declaration=declaration,
        acting_user=world.erik,
        conflicted=True,
        reason="Nær",
        meeting=council,
    )
    decided = committee.agenda_items.order_by("position").first().application
    engine.perform(decided, "decide", user=world.frida, outcome="grant")

    client = as_user(world.carl)
    urls = [
        reverse(name, args=[m.pk])
        for m in (council, committee)
        for name in ("meetings:meeting_agenda", "meetings:meeting_minutes")
    ]
    small = [count(client, url) for url in urls]
    fill(world, council, committee, 300)
    assert council.agenda_items.count() == committee.agenda_items.count() == 300
    large = [count(client, url) for url in urls]

    # The same for 10 and 300 items: the page's own overhead (session, user, the user's
    # roles and association ties, the meeting with its round and municipality, what the
    # base template's navigation reads), then the context, counted exactly below.
    assert small == large
    assert small[1] == small[0] + 2 and small[3] == small[2] + 2  # minutes: trail + one more


def test_the_minutes_context_costs_the_same_queries_for_10_and_300_items(
    world: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    council = meeting(world, Body.COUNCIL, [world.dorte, world.erik])
    committee = meeting(world, Body.COMMITTEE, [world.frida])
    for n in (10, 300):
        fill(world, council, committee, n)
        for meeting_ in (council, committee):
            fresh = Meeting.objects.select_related("round__municipality").get(pk=meeting_.pk)
            # the agenda's seven, the trail records of the items, and the council's
            # assessments (council) or the committee agendas of the items (committee)
            with django_assert_num_queries(9):
                context = meeting_documents.minutes_context(fresh)
            assert len(context["rows"]) == n


def test_building_the_agenda_for_print_costs_the_same_queries_for_10_and_300_items(
    world: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    council = meeting(world, Body.COUNCIL, [world.dorte, world.erik])
    committee = meeting(world, Body.COMMITTEE, [world.frida])
    for n in (10, 300):
        fill(world, council, committee, n)
        for meeting_ in (council, committee):
            fresh = Meeting.objects.select_related("round__municipality").get(pk=meeting_.pk)
            # members, present, items, focus areas, board ties, declarations, the round's grants
            with django_assert_num_queries(7):
                context = meeting_documents.agenda_context(fresh)
            assert len(context["rows"]) == n
            with django_assert_num_queries(0):
                html = render_to_string(meeting_documents.AGENDA_TEMPLATE, context)
            assert html.count('class="pf-item"') == n


def test_only_the_meeting_applications_count_in_the_totals(world: SimpleNamespace) -> None:
    in_review(world, world.a)
    council = meeting(world, Body.COUNCIL, [world.erik])
    agenda_add_all_ready(meeting=council, acting_user=world.carl)
    in_review(world, world.b)  # ready, but not on this agenda
    with override("en"):
        totals = meeting_documents.agenda_context(
            Meeting.objects.select_related("round__municipality").get(pk=council.pk)
        )["totals"]
    assert totals["requested"] == Decimal("25000")
    assert Application.objects.filter(round=world.round).count() == 2
