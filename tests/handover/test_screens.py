"""The screens: »Journaliser nu« and the journal status on the case page; payment runs from
/payouts/ (confirm, the run, the file again), who may, and the query counts."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.handover import payments
from cases.models import Application, Handover, HandoverStatus, PaymentRun, Payout
from workflows import engine

from ..conftest import advance
from .conftest import documents_by_key


@pytest.fixture
def paid(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "paid")


def _login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


# --- the journal on the case page ------------------------------------------------------------


def test_the_case_officer_journalises_the_case_now_and_sees_its_status(
    world: SimpleNamespace, draft: Application, journal_on: Path, client: Any
) -> None:
    case = engine.perform(draft, "submit", user=world.anna)  # no commit: nothing handed over yet
    assert not Handover.objects.filter(application=case, status=HandoverStatus.DONE).exists()
    _login(client, world.carl)
    page = client.get(reverse("applications:application_detail", args=[case.pk]))
    assert b'id="journal-now"' in page.content
    response = client.post(reverse("handover:journal_now", args=[case.pk]), follow=True)
    assert response.status_code == 200
    assert f"Sagen {case.case_number} er journaliseret." in response.content.decode()
    assert "receipt" in documents_by_key(journal_on, case)
    status = response.content.decode().split('id="journal-status">', 1)[1].split("</p>", 1)[0]
    assert f"reference {world.roskilde.pk}/{case.case_number}" in status
    assert "Journaliseret" in status


@pytest.mark.parametrize("who", ["anna", "dorte", "frida", "gustav"])
def test_only_case_officers_and_managers_journalise(
    world: SimpleNamespace, draft: Application, journal_on: Path, client: Any, who: str
) -> None:
    case = engine.perform(draft, "submit", user=world.anna)
    _login(client, getattr(world, who))
    assert client.post(reverse("handover:journal_now", args=[case.pk])).status_code == 403
    assert not journal_on.exists()
    _login(client, world.carl)
    assert client.post(reverse("handover:journal_now", args=[case.pk])).status_code == 302
    assert journal_on.exists()


def test_another_municipalitys_case_officer_does_not_find_the_case(
    world: SimpleNamespace, draft: Application, journal_on: Path, client: Any
) -> None:
    case = engine.perform(draft, "submit", user=world.anna)
    _login(client, world.helle)
    assert client.post(reverse("handover:journal_now", args=[case.pk])).status_code == 404


def test_a_draft_is_not_journalised_on_request(
    world: SimpleNamespace, draft: Application, journal_on: Path, client: Any
) -> None:
    _login(client, world.carl)
    assert client.post(reverse("handover:journal_now", args=[draft.pk])).status_code == 403


def test_the_association_does_not_see_the_journal_panel(
    world: SimpleNamespace, draft: Application, journal_on: Path, client: Any
) -> None:
    case = engine.perform(draft, "submit", user=world.anna)
    _login(client, world.anna)
    page = client.get(reverse("applications:application_detail", args=[case.pk]))
    assert page.status_code == 200 and b'id="journal"' not in page.content
    _login(client, world.gustav)  # the auditor reads the status, without the button
    page = client.get(reverse("applications:application_detail", args=[case.pk]))
    assert b'id="journal"' in page.content and b'id="journal-now"' not in page.content


# --- payment runs --------------------------------------------------------------------------


def test_the_confirm_page_lists_the_payouts_and_the_total(
    world: SimpleNamespace, paid: Application, client: Any
) -> None:
    _login(client, world.carl)
    payouts = client.get(reverse("after_grant:payouts")).content.decode()
    assert 'id="payment-run-new"' in payouts
    page = client.get(reverse("handover:payment_run_new"))
    body = page.content.decode()
    payout = Payout.objects.get(application=paid)
    assert f'data-payout="{payout.pk}"' in body and paid.case_number in body
    assert 'id="run-total">20.000,00 kr.' in body


def test_confirming_hands_the_file_over_and_it_downloads_again_byte_for_byte(
    world: SimpleNamespace, paid: Application, client: Any, settings: Any
) -> None:
    _login(client, world.carl)
    payout = Payout.objects.get(application=paid)
    response = client.post(
        reverse("handover:payment_run_new"),
        {"municipality": world.roskilde.pk, "payouts": [payout.pk]},
    )
    run = PaymentRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("handover:payment_run_detail", args=[run.pk])
    detail = client.get(response["Location"]).content.decode()
    assert 'id="run-total">20.000,00 kr.' in detail
    stored = (Path(settings.PULJEFLOW_FINANCE_DIR) / f"{run.pk}.csv").read_bytes()
    for _ in range(2):
        download = client.get(reverse("handover:payment_run_file", args=[run.pk]))
        assert download.content == stored
    excel = b"".join(
        client.get(reverse("handover:payment_run_csv", args=[run.pk])).streaming_content
    )
    assert excel.startswith(b"\xef\xbb\xbf") and b"20000,00" in excel
    standard = b"".join(
        client.get(
            reverse("handover:payment_run_csv", args=[run.pk]) + "?csv=standard"
        ).streaming_content
    )
    assert not standard.startswith(b"\xef\xbb\xbf") and b"20000.00" in standard
    listing = client.get(reverse("after_grant:payouts")).content.decode()
    assert f'data-run="{run.pk}"' in listing


def test_a_payout_already_handed_over_is_refused_with_a_message(
    world: SimpleNamespace, paid: Application, client: Any
) -> None:
    payout = Payout.objects.get(application=paid)
    first = payments.payment_run_create(municipality_id=world.roskilde.pk, acting_user=world.carl)
    _login(client, world.carl)
    response = client.post(
        reverse("handover:payment_run_new"),
        {"municipality": world.roskilde.pk, "payouts": [payout.pk]},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="run-errors"' in body and f"betalingskørsel {first.pk}" in body
    assert PaymentRun.objects.count() == 1


def test_confirming_with_nothing_ticked_says_so(
    world: SimpleNamespace, paid: Application, client: Any
) -> None:
    _login(client, world.carl)
    response = client.post(reverse("handover:payment_run_new"), {"municipality": world.roskilde.pk})
    assert response.status_code == 400 and b'id="run-errors"' in response.content
    assert not PaymentRun.objects.exists()


@pytest.mark.parametrize(
    ("who", "new", "detail"),
    [
        ("carl", 200, 200),
        ("gustav", 403, 200),  # the auditor reads runs
        ("frida", 403, 403),
        ("erik", 403, 403),
        ("anna", 403, 404),
        ("helle", 200, 404),  # Næstved's case officer: her own (empty) page, not Roskilde's run
    ],
)
def test_who_starts_and_reads_payment_runs(
    world: SimpleNamespace, paid: Application, client: Any, who: str, new: int, detail: int
) -> None:
    run = payments.payment_run_create(municipality_id=world.roskilde.pk, acting_user=world.carl)
    _login(client, getattr(world, who))
    assert client.get(reverse("handover:payment_run_new")).status_code == new
    for name in ("payment_run_detail", "payment_run_file", "payment_run_csv"):
        assert client.get(reverse(f"handover:{name}", args=[run.pk])).status_code == detail


def test_helle_cannot_start_a_run_for_roskilde(
    world: SimpleNamespace, paid: Application, client: Any
) -> None:
    _login(client, world.helle)
    response = client.post(reverse("handover:payment_run_new"), {"municipality": world.roskilde.pk})
    assert response.status_code == 403 and not PaymentRun.objects.exists()


def test_the_payouts_page_reads_its_runs_in_the_same_queries_however_many(
    world: SimpleNamespace, draft: Application, client: Any
) -> None:
    case = advance(draft, world, "granted")
    case = engine.perform(case, "pay", user=world.carl, amount="100", reference="R-1")
    payments.payment_run_create(municipality_id=world.roskilde.pk, acting_user=world.carl)
    _login(client, world.carl)
    url = reverse("after_grant:payouts")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(2, 5):
        case = engine.perform(case, "pay", user=world.carl, amount="100", reference=f"R-{n}")
        payments.payment_run_create(municipality_id=world.roskilde.pk, acting_user=world.carl)
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    # The panel: the runs with their municipality and creator (one query), and the payouts
    # waiting per municipality the user starts runs for (one count each).
    assert len(four) == len(one)
