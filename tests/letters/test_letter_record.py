"""What a letter states from the transition record that made it (the contract with the
hearing and votes parts): the hearing held or the § 19, stk. 2 exception, the meeting's date
of a committee decision. And the complaint guidance per municipality and kind of letter."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cases.documents.letter_context import Facts
from cases.documents.letters import letter_complete, letter_create, letter_render
from cases.models import Application, ApplicationStatus, ComplaintGuidance, DocumentKind
from cases.trail.chain import record_transition
from tests.factories import ApplicationFactory

from .conftest import letter_of, words

K = DocumentKind


def refused(world: SimpleNamespace, **fields: Any) -> Application:
    application = ApplicationFactory(round=world.round, association=world.a)
    application.status = ApplicationStatus.REFUSED
    application.granted_amount = 0
    application.decision_reasons = "Puljen er brugt."
    application.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    return application


@pytest.mark.parametrize(
    ("hearing", "sentence"),
    [
        (
            {"kind": "held", "hearing": 7, "answered": True, "ended_on": "2026-11-20"},
            "partshøring efter forvaltningslovens § 19). Vi modtog jeres svar den "
            "20. november 2026, og det indgår i afgørelsen.",
        ),
        (
            {"kind": "held", "hearing": 7, "answered": False, "ended_on": "2026-11-20"},
            "Fristen for at svare udløb den 20. november 2026, uden at vi modtog et svar fra jer.",
        ),
        (
            {"kind": "exception", "ground": "stk2_nr1", "reason": "Aktiviteten starter i morgen."},
            "Efter forvaltningsloven var partshøring ikke nødvendig: § 19, stk. 2, nr. 1: det må "
            "efter oplysningernes eller vurderingernes karakter og sagens beskaffenhed anses for "
            "ubetænkeligt at træffe afgørelse på det foreliggende grundlag.",
        ),
        (
            {
                "kind": "exception",
                "ground": "own_information",
                "reason": "Aktiviteten starter i morgen.",
            },
            "ikke nødvendig: § 19, stk. 1 finder ikke anvendelse: foreningen er bekendt med, at "
            "kommunen er i besiddelse af de oplysninger, afgørelsen bygger på",
        ),
    ],
    ids=["held-answered", "held-expired", "exception-stk2", "exception-stk1"],
)
def test_the_letter_states_the_hearing_the_record_holds(
    world: SimpleNamespace, hearing: dict[str, Any], sentence: str
) -> None:
    html = words(
        letter_render(refused(world), K.REFUSAL, facts=Facts(payload={"hearing": hearing}))
    )

    assert "Partshøring" in html
    assert sentence in html
    if hearing["kind"] == "exception":
        assert "Aktiviteten starter i morgen." in html
    # Without a hearing in the record, the letter says nothing about one.
    assert "Partshøring" not in words(letter_render(refused(world), K.REFUSAL))


def test_a_committee_decision_is_stated_with_the_meetings_date_and_the_letter_with_today(
    world: SimpleNamespace,
) -> None:
    application = refused(world)

    with time_machine.travel(datetime.datetime(2026, 12, 17, 9, 0, tzinfo=datetime.UTC)):
        html = words(
            letter_render(
                application, K.REFUSAL, facts=Facts(payload={"decision_date": "2026-12-15"})
            )
        )

    assert "Kultur- og Fritidsudvalget besluttede den 15. december 2026 at give" in html
    assert "Dato 17. december 2026" in html


def test_the_letter_is_completed_from_the_record_that_names_it(world: SimpleNamespace) -> None:
    """As a transition does: the letter, then the record naming it, then the letter again."""
    application = refused(world)
    letter = letter_create(application=application, kind=K.REFUSAL, acting_user=world.frida)
    assert "Partshøring" not in letter.html
    record_transition(
        application=application,
        flow="application",
        transition="decide",
        from_state="recommended",
        to_state="refused",
        actor=world.frida,
        role="committee_chair",
        reason="Puljen er brugt.",
        payload={
            "letter": letter.pk,
            "decision_date": "2026-12-15",
            "hearing": {"kind": "held", "answered": True, "ended_on": "2026-11-20"},
            "vote": {"for": 2, "against": 1, "abstaining": 0, "unanimous": False},
        },
    )

    letter_complete(letter)

    letter.refresh_from_db()
    html = words(letter.html)
    assert "besluttede den 15. december 2026" in html
    assert "Vi modtog jeres svar den 20. november 2026" in html
    assert "2-1" not in html and "stemme" not in html  # the vote is for the minutes


# --- complaint guidance per municipality and kind ------------------------------------------


def test_a_municipalitys_text_for_the_kind_is_used_else_its_general_text_else_the_default(
    world: SimpleNamespace,
) -> None:
    roskilde = world.roskilde
    ComplaintGuidance.objects.create(
        municipality=roskilde, kind=K.REFUSAL, text="Særlig vejledning ved afslag."
    )
    application = refused(world)

    assert "Særlig vejledning ved afslag." in words(letter_render(application, K.REFUSAL))
    rejection = words(letter_render(application, K.REJECTION))
    assert "Særlig vejledning" not in rejection
    assert roskilde.complaint_guidance in rejection  # its general text

    roskilde.complaint_guidance = ""
    roskilde.save()
    application.municipality.refresh_from_db()
    rejection = words(letter_render(application, K.REJECTION))
    assert "Ankestyrelsen, der fører tilsyn med kommunerne" in rejection
    assert "Folketingets Ombudsmand" in rejection
    assert "§ 18" not in rejection.split("Klagevejledning")[1].split("Kontakt")[0]  # no wrong basis
    english = words(letter_render(application, K.REJECTION, language="en"))
    assert "Ankestyrelsen, which supervises the municipalities" in english


def test_a_full_grant_never_carries_complaint_guidance(world: SimpleNamespace) -> None:
    application = refused(world, granted_amount=25000, status=ApplicationStatus.GRANTED)
    ComplaintGuidance.objects.create(
        municipality=world.roskilde, kind=K.REFUSAL, text="Særlig vejledning ved afslag."
    )

    html = words(letter_render(application, K.GRANT))

    assert "Klagevejledning" not in html and world.roskilde.complaint_guidance not in html


def test_the_english_letter_uses_english_words(world: SimpleNamespace) -> None:
    html = words(letter_render(refused(world), K.REJECTION, language="en"))

    assert "Your application is rejected without being considered" in html
    assert "has decided to reject your application" in html


# --- written once: the letter already states what its record holds ------------------------


def test_a_decision_letter_is_written_once_with_what_its_record_holds(
    world: SimpleNamespace, draft: Application
) -> None:
    """The transition hands the letter its record's payload before writing the record
    (``Facts.to_record``): the one text written is the text the record gives, and the
    letter has one history row, not a first draft and a rewrite."""
    from tests.conftest import advance

    application = advance(draft, world, "granted")
    letter = letter_of(application, K.PARTIAL_GRANT)
    written = letter.html
    assert "Partshøring" in written or "partshøring" in written  # the hearing exception
    assert letter.history.count() == 1
    letter_complete(letter)  # from the record that names it
    letter.refresh_from_db()
    assert letter.html == written
    assert letter.history.count() == 1
