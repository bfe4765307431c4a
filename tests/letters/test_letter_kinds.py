"""A letter for every decision and claim, made by the transition, in the case and its record:
what each kind says (decision, reasons, rules, complaint guidance, date, case officer)."""

from __future__ import annotations

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import formats
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, DocumentKind, RepaymentClaim
from cases.trail.models import TransitionRecord
from tests.conftest import NO_HEARING, report_data
from tests.workflows.support import S, reach, snapshot
from workflows.engine import perform

from .conftest import CONDITIONS, CRITERIA, PURPOSE, letter_of, pdf_text, today, words

REASONS = "Aktiviteten er ikke rettet mod udsatte børn, jf. kriterium 1."
DEFAULT_ROUTES = ("Ankestyrelsen, der fører tilsyn med kommunerne", "Folketingets Ombudsmand")


def record_of(application: Application, transition: str) -> TransitionRecord:
    return TransitionRecord.objects.filter(application=application, transition=transition).latest(
        "seq"
    )


def assert_the_common_parts(text: str, application: Application, officer: str) -> None:
    assert application.case_number in text
    assert "Dato" in text and today() in text  # dated when written, not when decided
    assert officer in text and "carl@roskilde.dk" in text
    assert "Rådhusbuen 1" in text and "46 31 30 00" in text and "frivillighed@roskilde.dk" in text


# --- afvisning: rejection at screening ----------------------------------------------------


def test_a_rejection_states_the_grounds_chosen_and_is_an_afvisning_not_an_afslag(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    rejected = perform(
        submitted,
        "reject",
        user=world.carl,
        reason="Vedtægterne viser, at foreningen har hjemsted i Lejre.",
        ground_conditions=[rules.conditions[0].pk],
        ground_other="Ansøgningen er ikke underskrevet af tegningsberettigede.",
        **NO_HEARING,
    )

    letter = letter_of(rejected, DocumentKind.REJECTION)
    record = record_of(rejected, "reject")
    assert record.payload["letter"] == letter.pk
    assert record.payload["ground_conditions"] == [rules.conditions[0].pk]
    assert record.payload["ground_other"].startswith("Ansøgningen er ikke underskrevet")
    assert "ground_late" not in record.payload
    text = pdf_text(letter.html, tmp_path)
    assert "Afvisning af jeres ansøgning" in text
    assert "har besluttet at afvise jeres ansøgning" in text
    assert "afslag" not in text.lower()  # afvisning: not considered, not refused on the merits
    assert f"opfylder ikke puljens betingelse »{CONDITIONS[0]}«" in text
    assert "Ansøgningen er ikke underskrevet af tegningsberettigede." in text
    assert "hjemsted i Lejre" in text
    assert CONDITIONS[1] in text  # the rules: all the round's conditions of eligibility
    assert "servicelovens § 18" in text
    assert "Klagevejledning" in text and world.roskilde.complaint_guidance in text
    assert_the_common_parts(text, rejected, "Carl")


def test_a_rejection_without_a_ground_chosen_gives_the_reasons_as_its_ground(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace
) -> None:
    rejected = perform(
        reach(draft, world, S.SUBMITTED),
        "reject",
        user=world.carl,
        reason="Ikke socialt arbejde.",
        **NO_HEARING,
    )

    html = words(letter_of(rejected, DocumentKind.REJECTION).html)
    assert "afvist af disse grunde" not in html
    assert "Ikke socialt arbejde." in html


def test_a_condition_of_another_round_is_refused_next_to_its_field(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(
            submitted,
            "reject",
            user=world.carl,
            reason="Ikke hjemmehørende",
            ground_conditions=[rules.elsewhere.pk],
            **NO_HEARING,
        )

    assert caught.value.errors == {
        "ground_conditions": [
            f"{rules.elsewhere.pk} is not one of this round's conditions of eligibility."
        ]
    }
    assert snapshot(submitted) == before
    assert not submitted.documents.exists()


def test_a_late_ground_must_be_true(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(
            submitted, "reject", user=world.carl, reason="For sent", ground_late=True, **NO_HEARING
        )
    assert list(caught.value.errors) == ["ground_late"]
    assert "before the deadline" in caught.value.errors["ground_late"][0]

    # Received after the deadline (the deadline moved, say): the letter says when.
    world.round.deadline = submitted.submitted_at - datetime.timedelta(hours=1)
    world.round.save()
    rejected = perform(
        submitted, "reject", user=world.carl, reason="For sent", ground_late=True, **NO_HEARING
    )
    html = words(letter_of(rejected, DocumentKind.REJECTION).html)
    assert "efter ansøgningsfristen den" in html
    assert record_of(rejected, "reject").payload["ground_late"] is True


# --- afslag, delvis bevilling, bevilling -------------------------------------------------


def test_a_refusal_by_the_committee_names_the_screening_case_officer_and_cites_the_criteria(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)

    refused = perform(
        recommended, "decide", user=world.frida, outcome="refuse", reason=REASONS, **NO_HEARING
    )

    letter = letter_of(refused, DocumentKind.REFUSAL)
    payload = record_of(refused, "decide").payload
    assert payload["letter"] == letter.pk
    text = pdf_text(letter.html, tmp_path)
    # Decided at the committee's meeting, on its date (the record's decision_date).
    with override("da"):
        met = formats.date_format(datetime.date.fromisoformat(payload["decision_date"]))
    assert f"Kultur- og Fritidsudvalget besluttede den {met} at give" in text
    assert "afslag" in text
    assert "afvis" not in text.lower()
    assert REASONS in text
    assert PURPOSE in text
    assert f"1. {CRITERIA[0]}" in text and f"2. {CRITERIA[1]}" in text  # numbered, in order
    assert "servicelovens § 18" in text
    assert "Klagevejledning" in text and world.roskilde.complaint_guidance in text
    # frida decided; the letter names carl, who screened the case, as its case officer.
    assert_the_common_parts(text, refused, "Carl")
    assert "Frida" not in text


def test_a_partial_grant_letter_gives_amounts_reasons_criteria_and_guidance(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    granted = reach(draft, world, S.GRANTED)  # 20.000 of the 25.000 asked for

    letter = letter_of(granted, DocumentKind.PARTIAL_GRANT)
    text = pdf_text(letter.html, tmp_path)
    assert "20.000,00 kr." in text and "25.000,00 kr." in text and "imødekommes delvist" in text
    assert "Som indstillet" in text
    assert f"1. {CRITERIA[0]}" in text
    assert world.roskilde.complaint_guidance in text
    assert_the_common_parts(text, granted, "Carl")


def test_a_full_grant_letter_carries_no_complaint_guidance(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)

    granted = perform(
        recommended, "decide", user=world.frida, outcome="grant", amount="25000", **NO_HEARING
    )

    text = pdf_text(letter_of(granted, DocumentKind.GRANT).html, tmp_path)
    assert "Det er hele det ansøgte beløb" in text
    assert "Klagevejledning" not in text and world.roskilde.complaint_guidance not in text
    assert "Ankestyrelsen" not in text
    assert "Kontakt" in text  # … but whom to contact
    assert_the_common_parts(text, granted, "Carl")


def test_a_quick_pool_decision_names_the_case_officer_who_decided(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace
) -> None:
    world.round.flow = "quick_pool"
    world.round.save()
    submitted = reach(draft, world, S.SUBMITTED)

    refused = perform(
        submitted,
        "decide_directly",
        user=world.carl,
        outcome="refuse",
        reason=REASONS,
        **NO_HEARING,
    )

    html = words(letter_of(refused, DocumentKind.REFUSAL).html)
    assert "Forvaltningen har besluttet at give" in html
    assert "Carl, carl@roskilde.dk" in html


# --- after the grant: a returned report, a repayment claim ---------------------------------


def test_a_returned_report_gets_a_letter_saying_what_to_correct(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)

    returned = perform(
        reported, "return_report", user=world.carl, reason="Regnskabet mangler bilag for husleje."
    )

    letter = letter_of(returned, DocumentKind.REPORT_RETURNED)
    assert record_of(returned, "return_report").payload["letter"] == letter.pk
    text = pdf_text(letter.html, tmp_path)
    assert "Jeres afrapportering sendes tilbage til rettelse" in text
    assert "Regnskabet mangler bilag for husleje." in text
    # Not a decision: the default for this kind, not the municipality's text for decisions.
    assert "er ikke en afgørelse om jeres tilskud" in text
    assert world.roskilde.complaint_guidance not in text
    assert_the_common_parts(text, returned, "Carl")


def test_a_repayment_claim_letter_says_how_much_by_when_to_which_account_with_which_reference(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    paid = reach(draft, world, S.PAID)
    data = report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}])
    reported = perform(paid, "submit_report", user=world.anna, **data)

    closed = perform(
        reported,
        "approve_report",
        user=world.carl,
        settlement="repayment",
        repayment_due="2027-06-30",
        reason="Aktiviteten blev afkortet.",
        **NO_HEARING,
    )

    claim = RepaymentClaim.objects.get(application=closed)
    assert claim.payment_reference == f"{closed.case_number}-1"
    letter = letter_of(closed, DocumentKind.REPAYMENT_CLAIM)
    payload = record_of(closed, "approve_report").payload
    assert (payload["letter"], payload["payment_reference"]) == (letter.pk, claim.payment_reference)
    text = pdf_text(letter.html, tmp_path)
    assert "Krav om tilbagebetaling af ubrugt tilskud" in text
    assert "kræve 5.000,00 kr. tilbagebetalt" in text
    assert "Aktiviteten blev afkortet." not in text  # the approval's note is internal
    assert "30. juni 2027" in text
    assert "Roskilde Kommune, Økonomi" in text
    assert "4000 1234567890" in text and "DK5000400440116243" in text
    assert claim.payment_reference in text
    assert "Klagevejledning" in text and world.roskilde.complaint_guidance in text
    assert_the_common_parts(text, closed, "Carl")
    # The e-mail that tells the association names the reference too.
    from notifications.models import Kind, Notification

    notice = Notification.objects.get(kind=Kind.REPAYMENT_CLAIMED, application=closed)
    assert claim.payment_reference in notice.body_text


def test_a_second_claim_on_the_same_case_gets_the_next_reference(
    world: SimpleNamespace, draft: Application
) -> None:
    paid = reach(draft, world, S.PAID)
    data = report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}])
    closed = perform(
        perform(paid, "submit_report", user=world.anna, **data),
        "approve_report",
        **NO_HEARING,
        user=world.carl,
        settlement="repayment",
    )
    first = RepaymentClaim.objects.get(application=closed)
    second = RepaymentClaim(
        application=closed,
        report=first.report,
        amount=1,
        due_on=first.due_on,
        created_by=world.carl,
    )
    second.assign_payment_reference()
    assert second.payment_reference == f"{closed.case_number}-2"
