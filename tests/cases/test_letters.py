"""Decision letters: what they say for each outcome, the PDF, the stored Document, no network."""

from __future__ import annotations

import datetime
import re
import shutil
import socket
import subprocess
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
import weasyprint
from django.db import transaction
from django.utils import formats
from django.utils.translation import override

from cases.documents.letters import (
    StaticOnlyURLFetcher,
    decision_letter_create,
    decision_letter_render,
    letter_pdf,
    letter_print,
    print_pdf,
    static_dir,
)
from cases.formatting import money
from cases.models import Application, ApplicationStatus, Document, Scheme
from cases.trail.history import system_user
from tests.factories import ApplicationFactory, GrantRoundFactory

REPORT_DEADLINE = datetime.date(2028, 3, 1)
# 23:30 UTC on 3 March is 00:30 on 4 March in Copenhagen: the letter carries the local day.
DECIDED_AT = datetime.datetime(2027, 3, 3, 23, 30, tzinfo=datetime.UTC)
REASONS = "Puljen er søgt mange gange over. Aktiviteten for de ældste børn er ikke støttet."


def decided(
    world: SimpleNamespace,
    *,
    granted: str,
    reasons: str = REASONS,
    grant_round: Any = None,
) -> Application:
    """anna's application for 25,000 DKK, decided directly (the flow is tested elsewhere)."""
    grant_round = grant_round or world.round
    grant_round.report_deadline = REPORT_DEADLINE
    grant_round.save()
    application = ApplicationFactory(
        round=grant_round, association=world.a, amount_requested=Decimal("25000")
    )
    amount = Decimal(granted)
    application.status = ApplicationStatus.GRANTED if amount else ApplicationStatus.REFUSED
    application.granted_amount = amount
    application.decision_reasons = reasons
    application.decided_at = DECIDED_AT
    application.save()
    return application


def heading(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match, "the letter has no h1"
    return " ".join(match.group(1).split())


def pdf_text(pdf: bytes, tmp_path: Any, tool: str = "pdftotext") -> str:
    assert shutil.which(tool), f"{tool} is missing: install Debian's poppler-utils"
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_a_partial_grant_letter_states_amounts_reasons_complaint_guidance_and_report_deadline(
    world: SimpleNamespace,
) -> None:
    application = decided(world, granted="20000")

    html = decision_letter_render(application)

    with override("da"):
        assert money(Decimal("20000")) in html
        assert money(Decimal("25000")) in html
    assert REASONS in html
    assert world.roskilde.complaint_guidance in html
    assert "1. marts 2028" in html  # the usage report deadline
    assert "serviceloven" in html.lower()
    assert "§ 22" not in html  # "no reasons needed" (forvaltningsloven § 22) is for full grants
    assert application.case_number in html
    assert world.a.name in html and world.a.cvr in html and world.a.address in html
    assert world.roskilde.name in html


def test_a_full_grant_letter_needs_no_reasons_and_carries_no_complaint_guidance(
    world: SimpleNamespace,
) -> None:
    application = decided(world, granted="25000", reasons="")

    html = decision_letter_render(application)

    assert "forvaltningslov" in html and "§ 22" in html  # a standard sentence, not reasons
    assert world.roskilde.complaint_guidance not in html
    assert "1. marts 2028" in html  # the conditions still apply


def test_a_refusal_letter_gives_the_reasons_and_the_complaint_guidance(
    world: SimpleNamespace,
) -> None:
    application = decided(world, granted="0")

    html = decision_letter_render(application)

    assert REASONS in html
    assert world.roskilde.complaint_guidance in html
    assert "1. marts 2028" not in html  # no grant, so no usage report
    with override("da"):
        assert money(Decimal("25000")) in html


@pytest.mark.parametrize(
    ("language", "routes"),
    [
        ("da", ["Ankestyrelsen, der fører tilsyn med kommunerne", "Folketingets Ombudsmand"]),
        ("en", ["Ankestyrelsen, which supervises the municipalities", "Ombudsman"]),
    ],
)
def test_without_its_own_guidance_a_refusal_letter_names_the_routes_that_exist(
    world: SimpleNamespace, language: str, routes: list[str]
) -> None:
    world.roskilde.complaint_guidance = ""
    world.roskilde.save()
    application = decided(world, granted="0")

    html = decision_letter_render(application, language=language)

    for route in routes:
        assert route in html
    assert "§ 18" not in html.split(routes[0])[0].rsplit("<div", 1)[-1]  # no wrong basis


def test_it_refuses_to_write_a_letter_that_grants_less_without_reasons(
    world: SimpleNamespace,
) -> None:
    for granted in ("20000", "0"):
        application = decided(world, granted=granted, reasons="  ")
        with pytest.raises(ValueError, match="forvaltningsloven § 22"):
            decision_letter_render(application)


def test_it_refuses_to_write_a_letter_before_the_decision(draft: Application) -> None:
    with pytest.raises(ValueError, match="has not been decided"):
        decision_letter_render(draft)


def test_the_letter_is_in_danish_by_default_and_dated_the_day_it_is_written_in_copenhagen(
    world: SimpleNamespace,
) -> None:
    application = decided(world, granted="20000")

    with time_machine.travel(DECIDED_AT):  # written (and sent) as decided: 4 March, local
        html = decision_letter_render(application)

    assert '<html lang="da">' in html
    assert heading(html) == "Afgørelse om tilskud efter servicelovens § 18"
    assert "4. marts 2027" in html


def test_a_letter_for_a_section_79_round_is_headed_section_79(world: SimpleNamespace) -> None:
    s79 = GrantRoundFactory(
        municipality=world.roskilde, scheme=Scheme.S79, name="Aktivitetspuljen for ældre 2027"
    )

    html = decision_letter_render(decided(world, granted="20000", grant_round=s79))

    assert "§ 79" in heading(html)
    assert "§ 18" not in html

    # The same letter in an ordinary round says § 18: the heading follows the scheme.
    assert "§ 18" in heading(decision_letter_render(decided(world, granted="20000")))


def test_the_letter_can_be_written_in_english(world: SimpleNamespace) -> None:
    application = decided(world, granted="20000")

    html = decision_letter_render(application, language="en")

    assert '<html lang="en">' in html
    assert heading(html) == "Decision on a grant under § 18 of the Social Services Act"
    assert "Complaint guidance" in html
    with override("en"):
        assert money(Decimal("20000")) in html
        assert formats.date_format(REPORT_DEADLINE, "DATE_FORMAT") in html
    assert "1. marts 2028" not in html


def test_it_refuses_a_language_it_has_no_letters_in(world: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match="'de'"):
        decision_letter_render(decided(world, granted="20000"), language="de")


def test_text_from_the_case_is_escaped(world: SimpleNamespace) -> None:
    application = decided(world, granted="0", reasons='<img src="http://example.org/x.png">')

    html = decision_letter_render(application)

    assert "<img" not in html
    assert "&lt;img" in html


def test_the_pdf_is_an_a4_page_whose_text_names_the_case_and_the_amounts(
    world: SimpleNamespace, tmp_path: Any
) -> None:
    application = decided(world, granted="20000")

    pdf = print_pdf(decision_letter_render(application))

    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert application.case_number in text
    assert "20.000,00" in text and "25.000,00" in text
    assert "Du kan klage" in text  # the complaint guidance made it onto the page
    assert re.search(r"Page size:.*\(A4\)", pdf_text(pdf, tmp_path, tool="pdfinfo"))


def test_the_letter_is_stored_as_a_document_written_by_the_acting_user(
    world: SimpleNamespace,
) -> None:
    application = decided(world, granted="20000")
    # As inside the decide transition: viewflow sets the new status after the method body.
    application.status = ApplicationStatus.RECOMMENDED
    application.save()

    document = decision_letter_create(application=application, acting_user=world.frida)
    assert not document.pdf  # printed after commit (cases.tasks.print_letter)
    letter_print(document)

    stored = Document.objects.get(pk=document.pk)
    assert stored.application == application
    assert stored.kind == "partial_grant"
    assert application.case_number in stored.title
    assert stored.created_by == world.frida
    assert stored.html == decision_letter_render(application)
    with stored.pdf.open("rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert stored.pdf.name.endswith(".pdf")
    assert [h.history_user for h in stored.history.order_by("history_id")] == [
        world.frida,
        system_user(),
    ]


def test_reading_a_letter_not_yet_printed_prints_it_in_memory_and_stores_nothing(
    world: SimpleNamespace, settings: Any
) -> None:
    """A download or an export is a GET: it must not write the PDF (that is the task's job)."""
    from pathlib import Path

    application = decided(world, granted="20000")
    application.status = ApplicationStatus.RECOMMENDED
    application.save()
    document = decision_letter_create(application=application, acting_user=world.frida)
    history_before = document.history.count()

    read = letter_pdf(Document.objects.get(pk=document.pk))

    with read.pdf.open("rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert read.pdf.name.endswith(".pdf")
    stored = Document.objects.get(pk=document.pk)
    assert not stored.pdf  # nothing saved on the row ...
    assert stored.history.count() == history_before  # ... no history row ...
    assert not list(Path(settings.MEDIA_ROOT).rglob("letter-*"))  # ... no file stored

    # Once printed and stored, the stored file is what a reader gets.
    letter_print(stored)
    assert letter_pdf(Document.objects.get(pk=document.pk)).pdf.name == stored.pdf.name


def test_the_document_rolls_back_with_the_callers_transaction(world: SimpleNamespace) -> None:
    application = decided(world, granted="20000")

    with pytest.raises(RuntimeError), transaction.atomic():
        decision_letter_create(application=application, acting_user=world.frida)
        assert Document.objects.filter(application=application).count() == 1
        raise RuntimeError("the decision failed after the letter was written")

    assert not Document.objects.filter(application=application).exists()


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every DNS lookup or connection attempted while the test runs; none gets through."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_printing_a_letter_fetches_nothing_from_the_network(
    world: SimpleNamespace, network_attempts: list[Any]
) -> None:
    html = decision_letter_render(decided(world, granted="20000")).replace(
        "</main>", '<img src="http://example.org/x.png" alt=""></main>'
    )

    assert print_pdf(html).startswith(b"%PDF")
    assert network_attempts == []

    # WeasyPrint left to itself would have gone for the image: the trap works.
    weasyprint.HTML(string=html).write_pdf()
    assert network_attempts


def test_the_url_fetcher_reads_the_projects_static_files_and_nothing_else() -> None:
    fetcher = StaticOnlyURLFetcher()
    stylesheet = static_dir() / "css" / "letter.css"

    response = fetcher.fetch(stylesheet.as_uri())
    assert b"@page" in response.read()
    response.close()

    for url in (
        "http://example.org/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x.png",
        "file:///etc/hostname",
        (static_dir() / "css" / ".." / ".." / "config" / "settings.py").as_uri(),
        "file://example.org" + stylesheet.as_posix(),
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_letter_is_printed_after_commit_and_a_missed_one_by_the_sweep(
    world: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    from cases.documents.letters import print_missing_letters

    application = decided(world, granted="20000")
    application.status = ApplicationStatus.RECOMMENDED
    application.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        printed = decision_letter_create(application=application, acting_user=world.frida)
    assert len(callbacks) == 1
    printed.refresh_from_db()
    with printed.pdf.open("rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    # A letter whose task was lost (callback never run) is printed by the sweep,
    # once it is a minute old; one already printed is left alone.
    with django_capture_on_commit_callbacks(execute=False):
        lost = decision_letter_create(application=application, acting_user=world.frida)
    assert print_missing_letters() == 0  # too fresh: its task may still be on its way
    with time_machine.travel(datetime.timedelta(minutes=2)):
        assert print_missing_letters() == 1
        assert print_missing_letters() == 0
    lost.refresh_from_db()
    assert lost.pdf and printed.pdf.name != lost.pdf.name


def test_the_letter_is_written_in_the_associations_language(world: SimpleNamespace) -> None:
    world.a.language = "en"
    world.a.save()
    application = decided(world, granted="20000")
    application.status = ApplicationStatus.RECOMMENDED
    application.save()

    document = decision_letter_create(application=application, acting_user=world.frida)

    assert '<html lang="en">' in document.html
    assert document.title.startswith("Decision letter")
    world.a.language = "da"
    world.a.save()
    application.association.refresh_from_db()
    danish = decision_letter_create(application=application, acting_user=world.frida)
    assert '<html lang="da">' in danish.html
