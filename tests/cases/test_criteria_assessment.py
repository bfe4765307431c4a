"""The council assesses per criterion when the round says so: a score from 1 to 5 or
yes / partly / no per criterion, optional each, checked against the application's round;
the chair's overview, the agenda and the minutes show the values beside each item.

dorte sits on association A's board (conflicted on anna's application); erik chairs the
council. Both are present at the council meeting.
"""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.documents import meetings as meeting_documents
from cases.models import (
    AgendaItem,
    Application,
    Assessment,
    Body,
    CriterionAssessment,
    Meeting,
    RoundCriterion,
)
from cases.services.meetings import (
    agenda_add,
    agenda_add_all_ready,
    assessment_record,
    conflict_declare,
    meeting_create,
)
from tests.factories import ApplicationFactory
from workflows import engine

pytestmark = pytest.mark.django_db


def in_review(world: SimpleNamespace, association: Any, **fields: Any) -> Application:
    application = ApplicationFactory(round=world.round, association=association, **fields)
    application.focus_areas.set([world.focus])
    applicant = world.anna if association == world.a else world.bo
    application = engine.perform(application, "submit", user=applicant)
    return engine.perform(application, "accept", user=world.carl, reason="Opfylder betingelserne")


def criteria_for(grant_round: Any, scoring: str = "score") -> list[RoundCriterion]:
    grant_round.criteria_scoring = scoring
    grant_round.save()
    return [
        RoundCriterion.objects.create(
            round=grant_round, position=n, title=title, help_text=f"Om {title.lower()}"
        )
        for n, title in enumerate(["Trivsel", "Forebyggelse", "Samarbejde"], start=1)
    ]


def council_meeting(world: SimpleNamespace, present: list[Any]) -> Meeting:
    return meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=datetime.date(2026, 2, 1),
        members_present=present,
        acting_user=world.carl,
    )


def set_scoring(world: SimpleNamespace, council: SimpleNamespace, scoring: str) -> None:
    """The round assessed another way, as the next request would read it."""
    world.round.criteria_scoring = scoring
    world.round.save()
    for obj in (council.bos, council.annas, council.meeting):
        obj.refresh_from_db()


@pytest.fixture
def council(world: SimpleNamespace) -> SimpleNamespace:
    """anna's and bo's applications on the agenda of a council meeting with dorte and erik,
    in a round whose three criteria are scored 1–5."""
    criteria = criteria_for(world.round)
    annas = in_review(world, world.a, title="Lektiecafé")
    bos = in_review(world, world.b, title="Besøgsvenner")
    meeting = council_meeting(world, [world.dorte, world.erik])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    return SimpleNamespace(meeting=meeting, annas=annas, bos=bos, criteria=criteria)


def record(council: SimpleNamespace, member: Any, application: Any = None, **criteria: Any) -> Any:
    return assessment_record(
        meeting=council.meeting,
        application=application or council.bos,
        member=member,
        outcome="grant",
        amount=None,
        comment="",
        criteria=criteria.get("values"),
    )


def values_of(assessment: Assessment) -> dict[str, Any]:
    return {
        v.criterion.title: v.score or v.verdict
        for v in CriterionAssessment.objects.filter(assessment=assessment).select_related(
            "criterion"
        )
    }


# --- the service ---------------------------------------------------------------------------


def test_a_member_records_a_score_per_criterion_leaving_one_out(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    trivsel, forebyggelse, samarbejde = council.criteria
    assessment = record(council, world.erik, values={trivsel.pk: 4, forebyggelse.pk: "2"})
    assert values_of(assessment) == {"Trivsel": 4, "Forebyggelse": 2}
    # Changed, cleared and added in one go; every change is in the history, by erik.
    record(council, world.erik, values={trivsel.pk: 5, forebyggelse.pk: "", samarbejde.pk: 1})
    assert values_of(assessment) == {"Trivsel": 5, "Samarbejde": 1}
    history = CriterionAssessment.history.filter(assessment_id=assessment.pk)
    assert sorted(h.history_type for h in history) == ["+", "+", "+", "-", "~"]
    assert {h.history_user_id for h in history} == {world.erik.pk}


def test_leaving_the_values_out_keeps_what_was_recorded(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    trivsel = council.criteria[0]
    assessment = record(council, world.erik, values={trivsel.pk: 3})
    record(council, world.erik)  # criteria=None: only the outcome is recorded again
    assert values_of(assessment) == {"Trivsel": 3}


@pytest.mark.parametrize(
    "value,message",
    [
        (0, "Giv »Trivsel« en score fra 1 til 5."),
        (6, "Giv »Trivsel« en score fra 1 til 5."),
        ("yes", "Giv »Trivsel« en score fra 1 til 5."),
        (3.0, "Giv »Trivsel« en score fra 1 til 5."),
        (True, "Giv »Trivsel« en score fra 1 til 5."),
    ],
)
def test_a_score_outside_1_to_5_or_a_verdict_on_a_scored_round_is_refused(
    world: SimpleNamespace, council: SimpleNamespace, value: Any, message: str
) -> None:
    trivsel = council.criteria[0]
    with pytest.raises(ValidationError) as refused:
        record(council, world.erik, values={trivsel.pk: value})
    assert refused.value.message_dict == {f"criterion_{trivsel.pk}": [message]}
    assert not Assessment.objects.exists()  # nothing saved, not even the outcome


def test_a_score_on_a_verdict_round_is_refused_and_a_verdict_taken(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    set_scoring(world, council, "verdict")
    trivsel, forebyggelse, _ = council.criteria
    with pytest.raises(ValidationError) as refused:
        record(council, world.erik, values={trivsel.pk: 4})
    assert refused.value.message_dict == {
        f"criterion_{trivsel.pk}": ["Svar på »Trivsel« med ja, delvist eller nej."]
    }
    assessment = record(council, world.erik, values={trivsel.pk: "partly", forebyggelse.pk: "no"})
    assert values_of(assessment) == {"Trivsel": "partly", "Forebyggelse": "no"}


def test_a_criterion_of_another_round_is_refused(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    foreign = RoundCriterion.objects.create(round=world.other_round, title="Andet")
    with pytest.raises(ValidationError) as refused:
        record(council, world.erik, values={foreign.pk: 3, 999999: 2})
    assert refused.value.message_dict == {
        "criteria": [f"{foreign.pk}, 999999 er ikke et af puljens kriterier."]
    }
    assert not Assessment.objects.exists()


def test_no_values_when_the_round_is_not_assessed_per_criterion(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    set_scoring(world, council, "none")
    trivsel = council.criteria[0]
    with pytest.raises(ValidationError) as refused:
        record(council, world.erik, values={trivsel.pk: 3})
    assert refused.value.message_dict == {
        "criteria": ["Puljens kriterier vurderes ikke hver for sig."]
    }
    # Nothing sent per criterion is fine: the assessment is recorded as always.
    assessment = record(council, world.erik, values={trivsel.pk: ""})
    assert values_of(assessment) == {}


def test_the_database_refuses_a_score_out_of_range(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    from django.db import IntegrityError, transaction

    assessment = record(council, world.erik)
    for score, verdict in ((0, ""), (6, ""), (None, ""), (3, "yes")):
        with pytest.raises(IntegrityError), transaction.atomic():
            CriterionAssessment.objects.create(
                assessment=assessment, criterion=council.criteria[0], score=score, verdict=verdict
            )


# --- the member's sheet ---------------------------------------------------------------------


def item_html(content: bytes, application: Application) -> str:
    html = content.decode()
    match = re.search(rf'<section[^>]*id="item-{application.pk}".*?</section>', html, re.S)
    assert match, f"item {application.pk} not on the page"
    return match.group(0)


def sheet_post(council: SimpleNamespace, **fields: Any) -> dict[str, Any]:
    return {"outcome": "partial", "amount": "12.500,00", "comment": "", **fields}


def test_the_sheet_offers_a_score_per_criterion_with_its_explanation(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    url = reverse("council:meeting_assess", args=[council.meeting.pk])
    html = item_html(as_user(world.erik).get(url).content, council.bos)
    trivsel = council.criteria[0]
    assert f'name="criterion_{trivsel.pk}"' in html
    assert "Om trivsel" in html and "1 er lavest, 5 er højest." in html
    assert html.index("data-criteria") < html.index('name="outcome"')
    # A round not assessed per criterion: no such fields.
    world.round.criteria_scoring = "none"
    world.round.save()
    html = item_html(as_user(world.erik).get(url).content, council.bos)
    assert "criterion_" not in html


def test_erik_saves_scores_on_the_sheet_and_sees_them_again(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    trivsel, forebyggelse, _ = council.criteria
    client = as_user(world.erik)
    url = reverse("council:meeting_assess_item", args=[council.meeting.pk, council.bos.pk])
    response = client.post(
        url,
        sheet_post(council, **{f"criterion_{trivsel.pk}": "4", f"criterion_{forebyggelse.pk}": ""}),
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(member=world.erik)
    assert values_of(assessment) == {"Trivsel": 4}
    page = client.get(reverse("council:meeting_assess", args=[council.meeting.pk]))
    html = item_html(page.content, council.bos)
    assert '<option value="4" selected>4</option>' in html


def test_a_bad_value_on_the_sheet_is_answered_next_to_its_field(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    trivsel = council.criteria[0]
    client = as_user(world.erik)
    url = reverse("council:meeting_assess_item", args=[council.meeting.pk, council.bos.pk])
    response = client.post(url, sheet_post(council, **{f"criterion_{trivsel.pk}": "6"}))
    assert response.status_code == 400
    html = item_html(response.content, council.bos)
    assert f'id="a{council.bos.pk}-criterion_{trivsel.pk}-error"' in html
    assert "Giv »Trivsel« en score fra 1 til 5." in html
    assert not Assessment.objects.exists()


# --- the chair's overview, the agenda and the minutes --------------------------------------


def test_the_overview_shows_each_members_scores_and_the_average_without_the_conflicted(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    trivsel, forebyggelse, _ = council.criteria
    record(council, world.erik, values={trivsel.pk: 4, forebyggelse.pk: 2})
    record(council, world.dorte, values={trivsel.pk: 5})
    response = as_user(world.erik).get(
        reverse("council:meeting_assessments", args=[council.meeting.pk])
    )
    html = response.content.decode()
    row = re.search(rf'<tr id="row-{council.bos.pk}">.*?</tr>', html, re.S).group(0)
    summary = re.search(r"<td data-criteria>.*?</td>", row, re.S).group(0)
    assert f'data-criterion="{trivsel.pk}"' in summary
    assert "Trivsel:</span> gennemsnit 4,5 af 2" in summary
    assert "Forebyggelse:</span> gennemsnit 2,0 af 1" in summary
    assert "Samarbejde:</span> ikke vurderet" in summary
    erik_cell = re.search(rf'<td data-member="{world.erik.pk}">.*?</td>', row, re.S).group(0)
    assert "Trivsel:</span> 4" in erik_cell

    # dorte declares a tie to B: from then on her values no longer count.
    conflict_declare(application=council.bos, member=world.dorte, reason="Nabo")
    html = (
        as_user(world.erik)
        .get(reverse("council:meeting_assessments", args=[council.meeting.pk]))
        .content.decode()
    )
    row = re.search(rf'<tr id="row-{council.bos.pk}">.*?</tr>', html, re.S).group(0)
    assert "Trivsel:</span> gennemsnit 4,0 af 1" in row


def test_verdicts_are_counted_yes_partly_no(
    world: SimpleNamespace, council: SimpleNamespace
) -> None:
    set_scoring(world, council, "verdict")
    trivsel = council.criteria[0]
    record(council, world.erik, values={trivsel.pk: "partly"})
    record(council, world.dorte, values={trivsel.pk: "yes"})
    meeting = Meeting.objects.select_related("round__municipality").get(pk=council.meeting.pk)
    context = meeting_documents.minutes_context(meeting)
    row = next(r for r in context["rows"] if r.application.pk == council.bos.pk)
    summary = row.criteria[0]
    assert (summary.criterion, summary.count, summary.counts()) == (
        trivsel,
        2,
        {"yes": 1, "partly": 1, "no": 0},
    )
    assert summary.text == "Ja 1 · Delvist 1 · Nej 0"


def test_the_council_minutes_and_the_committee_agenda_show_the_values_beside_each_item(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    trivsel, forebyggelse, _ = council.criteria
    record(council, world.erik, values={trivsel.pk: 3, forebyggelse.pk: 4})
    record(council, world.dorte, values={trivsel.pk: 4})
    client = as_user(world.carl)
    minutes = client.get(
        reverse("meetings:meeting_minutes", args=[council.meeting.pk])
    ).content.decode()
    assert "Rådets vurdering pr. kriterium" in minutes
    assert "Trivsel: gennemsnit 3,5 af 2" in minutes
    assert "Forebyggelse: gennemsnit 4,0 af 1" in minutes
    engine.perform(
        council.bos,
        "recommend",
        user=world.erik,
        outcome="grant",
        criteria=[trivsel.pk, forebyggelse.pk],
    )
    minutes = client.get(
        reverse("meetings:meeting_minutes", args=[council.meeting.pk])
    ).content.decode()
    assert "Bygger på kriterierne: Trivsel; Forebyggelse." in minutes

    # The committee's agenda shows what the council's members gave, beside the item.
    committee = meeting_create(
        grant_round=world.round,
        body=Body.COMMITTEE,
        date=datetime.date(2026, 2, 15),
        members_present=[world.frida],
        acting_user=world.carl,
    )
    agenda_add_all_ready(meeting=committee, acting_user=world.carl)
    agenda = client.get(reverse("meetings:meeting_agenda", args=[committee.pk])).content.decode()
    assert "Kriterier for vurderingen" in agenda and "Om trivsel" in agenda
    assert "Trivsel: gennemsnit 3,5 af 2" in agenda


def test_the_agenda_pdf_carries_the_values(
    world: SimpleNamespace, council: SimpleNamespace, as_user: Any
) -> None:
    record(council, world.erik, values={council.criteria[0].pk: 5})
    meeting = Meeting.objects.select_related("round__municipality").get(pk=council.meeting.pk)
    context = meeting_documents.minutes_context(meeting)
    from django.template.loader import render_to_string

    html = render_to_string(meeting_documents.MINUTES_TEMPLATE, context)
    assert "Trivsel: gennemsnit 5,0 af 1" in html


# --- what it costs ---------------------------------------------------------------------------


def grow(world: SimpleNamespace, meeting: Meeting, criteria: list[RoundCriterion], n: int) -> None:
    """Fill the agenda to n items, each with erik's assessment and a score per criterion."""
    while AgendaItem.objects.filter(meeting=meeting).count() < n:
        application = ApplicationFactory(
            round=world.round,
            association=world.b,
            status="in_council_review",
            complete=False,
        )
        agenda_add(meeting=meeting, applications=[application], acting_user=world.carl)
        assessment = Assessment.objects.create(
            meeting=meeting, application=application, member=world.erik, outcome="grant", amount=1
        )
        for criterion in criteria:
            CriterionAssessment.objects.create(assessment=assessment, criterion=criterion, score=3)


def count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_queries_for_5_and_40_items_scored_per_criterion(
    world: SimpleNamespace, as_user: Any
) -> None:
    criteria = criteria_for(world.round)
    meeting = council_meeting(world, [world.dorte, world.erik])
    urls = [
        (world.erik, reverse("council:meeting_assess", args=[meeting.pk])),
        (world.erik, reverse("council:meeting_assessments", args=[meeting.pk])),
        (world.carl, reverse("meetings:meeting_agenda", args=[meeting.pk])),
        (world.carl, reverse("meetings:meeting_minutes", args=[meeting.pk])),
    ]
    grow(world, meeting, criteria, 5)
    small = [count(as_user(user), url) for user, url in urls]
    grow(world, meeting, criteria, 40)
    large = [count(as_user(user), url) for user, url in urls]
    assert small == large


def test_the_round_s_criteria_cost_two_queries_and_none_without_them(
    world: SimpleNamespace, council: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    world.round.criteria_scoring = "none"
    world.round.save()
    fresh = Meeting.objects.select_related("round__municipality").get(pk=council.meeting.pk)
    # members, present, items, focus areas, board ties, declarations, the round's grants
    with django_assert_num_queries(7):
        meeting_documents.agenda_context(fresh)
    world.round.criteria_scoring = "score"
    world.round.save()
    fresh = Meeting.objects.select_related("round__municipality").get(pk=council.meeting.pk)
    # ... and the round's criteria, the values recorded at the meeting
    with django_assert_num_queries(9):
        meeting_documents.agenda_context(fresh)
