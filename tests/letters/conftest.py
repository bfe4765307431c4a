"""The cast's round with rules to cite, and a municipality that can be written to and paid."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import formats, timezone
from django.utils.translation import override

from cases.documents.letters import print_pdf
from cases.models import Document, RoundCondition, RoundCriterion

PURPOSE = "Puljen støtter frivilligt socialt arbejde for udsatte børn og ældre."
CRITERIA = ("Aktiviteten når udsatte børn", "Frivillige bærer aktiviteten")
CONDITIONS = ("Foreningen er hjemmehørende i kommunen", "Aktiviteten er frivilligt socialt arbejde")


@pytest.fixture
def rules(world: SimpleNamespace) -> SimpleNamespace:
    """The round's purpose, two criteria and two conditions; Roskilde's address and account."""
    world.round.purpose = PURPOSE
    world.round.save()
    criteria = [
        RoundCriterion.objects.create(round=world.round, position=i, title=title)
        for i, title in enumerate(CRITERIA)
    ]
    conditions = [
        RoundCondition.objects.create(round=world.round, position=i, text=text)
        for i, text in enumerate(CONDITIONS)
    ]
    elsewhere = RoundCondition.objects.create(round=world.other_round, text="Næstveds betingelse")
    roskilde = world.roskilde
    roskilde.address = "Rådhusbuen 1"
    roskilde.postal_code = "4000"
    roskilde.city = "Roskilde"
    roskilde.phone = "46 31 30 00"
    roskilde.email = "frivillighed@roskilde.dk"
    roskilde.website = "https://www.roskilde.dk"
    roskilde.payee_name = "Roskilde Kommune, Økonomi"
    roskilde.bank_registration = "4000"
    roskilde.bank_account = "1234567890"
    roskilde.iban = "DK5000400440116243"
    roskilde.save()
    world.carl.email = "carl@roskilde.dk"
    world.carl.save()
    return SimpleNamespace(criteria=criteria, conditions=conditions, elsewhere=elsewhere)


@pytest.fixture
def as_user(client: Client) -> Any:
    def login(user: Any) -> Client:
        client.logout()
        client.force_login(user)
        return client

    return login


def pdf_text(html: str, tmp_path: Path) -> str:
    """The words of the letter as printed (WeasyPrint), whitespace collapsed."""
    assert shutil.which("pdftotext"), "pdftotext is missing: install Debian's poppler-utils"
    path = tmp_path / "letter.pdf"
    path.write_bytes(print_pdf(html))
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


def words(html: str) -> str:
    """The letter's text without its tags, whitespace collapsed (entities left as they are)."""
    body = html.split("<body>", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def today(language: str = "da") -> str:
    with override(language):
        return formats.date_format(timezone.localdate(), "DATE_FORMAT")


def letter_of(application: Any, kind: str) -> Document:
    return Document.objects.get(application=application, kind=kind)
