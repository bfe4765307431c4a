"""Every kind renders in Danish and English; text is not HTML-escaped, HTML is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from cases.models import Application
from notifications.models import Kind
from notifications.reminders.rules import NOT_ABOUT_ONE_APPLICATION
from notifications.services import render

CONTEXT: dict[str, Any] = {
    "question": "Hvor mange frivillige har I?",
    "answer": "12 frivillige & 40 medlemmer",
    "reasons": "Puljen er brugt <og> prioriteret",
    "reason": "Vi har fået midler andetsteds",
    "granted": True,
    "amount": Decimal("20000"),
    "paid_on": date(2027, 3, 1),
    "reference": "UDB-1",
    "changed_on": date(2026, 1, 5),  # draft_expiring
    "deleted_on": date(2027, 1, 5),
}


def rendered(application: Application, kind: str, language: str, **extra: Any) -> Any:
    context = {**CONTEXT, **extra, "application": application, "recipient_name": "Anna"}
    return render(kind, language, context)


@pytest.mark.parametrize("kind", [k for k in Kind if k not in NOT_ABOUT_ONE_APPLICATION])
def test_every_kind_is_translated_and_names_the_case(
    world: SimpleNamespace, submitted: Application, kind: str
) -> None:
    da = rendered(submitted, kind, "da")
    en = rendered(submitted, kind, "en")

    for subject, text, html in (da, en):
        assert submitted.case_number in subject and "\n" not in subject
        assert "{" not in text + html  # no unrendered tag or variable
        assert f"<title>{subject}</title>" in html
    assert da[0] != en[0] and da[1] != en[1]  # a missing catalogue would make them equal
    assert da[1].startswith("Kære Anna\n") and en[1].startswith("Dear Anna,\n")
    assert "Sendt fra Puljeflow på vegne af Roskilde Kommune." in da[1]
    assert '<html lang="da">' in da[2] and '<html lang="en">' in en[2]


def test_text_is_left_as_typed_and_html_is_escaped(
    world: SimpleNamespace, submitted: Application
) -> None:
    world.a.name = "Børn & Unge"
    world.a.save()
    submitted.refresh_from_db()
    _, text, html = rendered(submitted, Kind.APPLICATION_REJECTED, "da")

    assert "fra Børn & Unge" in text and "Puljen er brugt <og> prioriteret" in text
    assert "fra Børn &amp; Unge" in html and "Puljen er brugt &lt;og&gt; prioriteret" in html


def test_a_partial_grant_states_the_amounts_and_how_to_complain(
    world: SimpleNamespace, submitted: Application
) -> None:
    subject, text, _ = rendered(submitted, Kind.DECISION, "da")

    assert subject == f"Afgørelse om ansøgning {submitted.case_number}: tilskud på 20.000,00 kr."
    assert "bevilget Lektiecaféen 20.000,00 kr." in text
    assert "I søgte om 25.000,00 kr." in text
    assert "Begrundelse:\nPuljen er brugt <og> prioriteret" in text
    assert "Klagevejledning\nDu kan klage til Ankestyrelsen inden 4 uger." in text


def test_a_grant_in_full_needs_no_complaint_guidance(
    world: SimpleNamespace, submitted: Application
) -> None:
    _, text, html = rendered(submitted, Kind.DECISION, "en", amount=Decimal("25000"), reasons="")
    assert "has granted Lektiecaféen DKK 25,000.00" in text
    assert "How to complain" not in text + html
    assert "Reasons:" not in text


def test_a_refusal_says_so_and_how_to_complain(
    world: SimpleNamespace, submitted: Application
) -> None:
    subject, text, html = rendered(submitted, Kind.DECISION, "en", granted=False, amount=0)
    assert subject == f"Decision on application {submitted.case_number}: refused"
    assert "has decided to refuse the application" in text
    assert "How to complain" in text and "How to complain" in html


def test_without_guidance_from_the_municipality_a_refusal_names_the_routes_that_exist(
    world: SimpleNamespace, submitted: Application
) -> None:
    world.roskilde.complaint_guidance = ""
    world.roskilde.save()
    submitted.refresh_from_db()
    _, text, html = rendered(submitted, Kind.APPLICATION_REJECTED, "da")
    for page in (text, html):
        assert "Ankestyrelsen, der fører tilsyn med kommunerne" in page
        assert "Folketingets Ombudsmand inden 12 måneder" in page
        assert "§ 18" not in page.split("Klagevejledning")[-1]  # no wrong legal basis
