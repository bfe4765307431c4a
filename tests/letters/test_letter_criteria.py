"""The round's criteria in a decision letter: all of them as the rules the decision rests on
(forvaltningsloven § 24), and those the council's recommendation cited marked as such, in
the reasons and in the list; nothing said about a citation that was not made."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cases.models import Application, DocumentKind, RoundCriterion
from cases.trail.models import TransitionRecord
from tests.conftest import NO_HEARING, on_agenda
from tests.workflows.support import S, forget, reach
from workflows.engine import perform

from .conftest import CRITERIA, letter_of, pdf_text

MARK = "(indstillingen lægger vægt på dette kriterium)"
CITES = "Indstillingen fra Frivillighedsrådet lægger vægt på"
PARTIAL = {"outcome": "partial", "amount": "20000", "reason": "Puljen er lille"}


def recommend(application: Application, world: SimpleNamespace, **data: Any) -> Application:
    recommended = perform(application, "recommend", user=world.erik, **data)
    forget(world)
    on_agenda(recommended, world)
    return recommended


def decide(application: Application, world: SimpleNamespace, **data: Any) -> Application:
    return perform(application, "decide", user=world.frida, **{**NO_HEARING, **data})


def test_the_criteria_the_recommendation_cited_are_marked_and_the_others_are_not(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    third = RoundCriterion.objects.create(round=world.round, position=2, title="Lokal forankring")
    first, second = rules.criteria
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    # Cited out of order: the letter follows the round's order.
    recommended = recommend(in_review, world, **PARTIAL, criteria=[third.pk, first.pk])
    assert TransitionRecord.objects.get(transition="recommend").payload["criteria"] == [
        first.pk,
        third.pk,
    ]

    granted = decide(recommended, world, outcome="grant", amount="20000", reason="Som indstillet")

    text = pdf_text(letter_of(granted, DocumentKind.PARTIAL_GRANT).html, tmp_path)
    # In the reasons: the cited ones, by their number in the rules' list.
    assert (
        f"{CITES} disse af puljens kriterier: »{CRITERIA[0]}« (kriterium 1), "
        f"»Lokal forankring« (kriterium 3)."
    ) in text
    assert f"»{second.title}«" not in text
    # In the rules: every criterion, only the cited ones marked.
    assert f"1. {CRITERIA[0]} {MARK}" in text
    assert f"2. {CRITERIA[1]} 3." in text  # listed, unmarked, the next item right after it
    assert f"3. Lokal forankring {MARK}" in text
    assert text.count(MARK) == 2


def test_one_criterion_cited_is_said_in_the_singular_even_in_a_full_grant(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    recommended = recommend(
        in_review, world, outcome="grant", criteria=[rules.criteria[1].pk], reason=""
    )

    granted = decide(recommended, world, outcome="grant", amount="25000")

    text = pdf_text(letter_of(granted, DocumentKind.GRANT).html, tmp_path)
    assert f"{CITES} dette af puljens kriterier: »{CRITERIA[1]}« (kriterium 2)." in text
    assert f"1. {CRITERIA[0]} 2. {CRITERIA[1]} {MARK}" in text


def test_a_recommendation_citing_no_criteria_gives_a_letter_that_claims_none(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    refused = reach(draft, world, S.REFUSED)  # recommended without criteria
    assert "criteria" not in TransitionRecord.objects.get(transition="recommend").payload

    text = pdf_text(letter_of(refused, DocumentKind.REFUSAL).html, tmp_path)
    assert f"1. {CRITERIA[0]}" in text and f"2. {CRITERIA[1]}" in text  # the rules, still
    assert "lægger vægt på" not in text


def test_only_the_latest_recommendation_counts_after_a_send_back(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    first, second = rules.criteria
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    recommended = recommend(in_review, world, **PARTIAL, criteria=[first.pk])
    back = perform(recommended, "send_back", user=world.frida, reason="Se på beløbet igen")
    forget(world)
    again = recommend(back, world, **PARTIAL, criteria=[second.pk])

    granted = decide(again, world, outcome="grant", amount="20000", reason="Som indstillet")

    text = pdf_text(letter_of(granted, DocumentKind.PARTIAL_GRANT).html, tmp_path)
    assert f"»{CRITERIA[1]}« (kriterium 2)." in text
    assert f"1. {CRITERIA[0]} 2. {CRITERIA[1]} {MARK}" in text
    assert f"»{CRITERIA[0]}«" not in text


def test_a_quick_pool_decision_cites_no_recommendation(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    world.round.flow = "quick_pool"
    world.round.save()
    submitted = reach(draft, world, S.SUBMITTED)

    refused = perform(
        submitted,
        "decide_directly",
        user=world.carl,
        outcome="refuse",
        reason="Uden for formålet",
        **NO_HEARING,
    )

    text = pdf_text(letter_of(refused, DocumentKind.REFUSAL).html, tmp_path)
    assert f"1. {CRITERIA[0]}" in text
    assert "indstilling" not in text.lower()


def test_the_english_letter_marks_the_cited_criteria_in_english(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace
) -> None:
    from cases.documents.letters import letter_render

    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    recommended = recommend(in_review, world, **PARTIAL, criteria=[rules.criteria[0].pk])
    granted = decide(recommended, world, outcome="grant", amount="20000", reason="Som indstillet")

    html = letter_render(granted, DocumentKind.PARTIAL_GRANT, language="en")
    assert "gives weight to this criterion of the round:" in html
    assert f"“{CRITERIA[0]}” (criterion 1)." in html
    assert "(given weight in the recommendation)" in html
