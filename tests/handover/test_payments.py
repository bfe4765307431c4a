"""Payment runs: the file's lines, one run per payout, the trail, who may."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cases.handover import payments
from cases.handover.finance import HEADER, statement_text
from cases.models import Application, PaymentRun, PaymentRunItem, Payout, TransitionRecord
from cases.trail.disclosure import disclosed_records
from cases.trail.verify import verify_trail
from workflows import engine

from ..conftest import advance


@pytest.fixture
def paid(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "paid")


def _run(world: SimpleNamespace, **kwargs: Any) -> PaymentRun:
    return payments.payment_run_create(
        municipality_id=world.roskilde.pk, acting_user=world.carl, **kwargs
    )


def test_a_run_holds_every_registered_payout_not_yet_handed_over(
    world: SimpleNamespace, paid: Application
) -> None:
    run = _run(world)
    payout = Payout.objects.get(application=paid)
    assert run.count == 1 and run.total == Decimal("20000.00")
    assert list(run.items.values_list("payout_id", flat=True)) == [payout.pk]
    assert run.created_by == world.carl and run.municipality == world.roskilde
    assert not payments.pending_payouts(world.roskilde.pk).exists()


def test_the_payment_file_has_one_documented_line_per_payout(
    world: SimpleNamespace, paid: Application, settings: Any
) -> None:
    run = _run(world)
    payout = Payout.objects.get(application=paid)
    stored = Path(settings.PULJEFLOW_FINANCE_DIR) / f"{run.pk}.csv"
    content = stored.read_bytes()
    assert content == run.content.encode("utf-8")
    assert hashlib.sha256(content).hexdigest() == run.sha256
    assert run.reference == f"{run.pk}.csv" and run.file_name == f"{run.pk}.csv"
    assert not content.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    lines = content.decode("utf-8").split("\r\n")
    assert lines[-1] == ""  # every line ends with CR LF
    assert lines[0] == "cvr;amount;reference;account;text;payment_date;payout"
    assert tuple(lines[0].split(";")) == HEADER
    assert lines[1].split(";") == [
        world.a.cvr,
        "20000.00",
        paid.case_number,
        "NEMKONTO",
        f"Tilskud {paid.case_number} UDB-1",
        payout.paid_on.isoformat(),
        str(payout.pk),
    ]
    assert len(lines) == 3


def test_the_statement_text_is_plain_and_at_most_35_characters() -> None:
    text = statement_text("2027-0042", 'Rate 1; "forår"\r\nog meget mere tekst her')
    assert text == "Tilskud 2027-0042 Rate 1 forår og m"
    assert len(text) == 35 and ";" not in text and '"' not in text


def test_a_payout_already_in_a_run_is_refused_naming_the_run(
    world: SimpleNamespace, paid: Application
) -> None:
    first = _run(world)
    payout = Payout.objects.get(application=paid)
    with pytest.raises(payments.PaymentRunConflict) as refused:
        _run(world, payout_ids=[payout.pk])
    assert refused.value.status_code == 409
    assert f"betalingskørsel {first.pk}" in refused.value.message
    assert paid.case_number in refused.value.message
    with pytest.raises(ValidationError):
        _run(world)  # nothing left to hand over
    assert PaymentRun.objects.count() == 1


def test_the_database_holds_a_payout_in_one_run_only(
    world: SimpleNamespace, paid: Application
) -> None:
    run = _run(world)
    item = run.items.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRunItem.objects.create(
            run=run,
            payout_id=item.payout_id,
            cvr=item.cvr,
            association=item.association,
            case_number=item.case_number,
            amount=item.amount,
            paid_on=item.paid_on,
            reference=item.reference,
            account=item.account,
            text=item.text,
        )


def test_only_the_ticked_payouts_go_into_the_run(
    world: SimpleNamespace, draft: Application
) -> None:
    granted = advance(draft, world, "granted")
    first = engine.perform(granted, "pay", user=world.carl, amount="12000", reference="RATE-1")
    engine.perform(first, "pay", user=world.carl, amount="8000", reference="RATE-2")
    one, two = Payout.objects.filter(application=granted).order_by("pk")
    run = _run(world, payout_ids=[one.pk])
    assert run.count == 1 and run.total == Decimal("12000.00")
    assert list(payments.pending_payouts(world.roskilde.pk)) == [two]
    second = _run(world)
    assert list(second.items.values_list("payout_id", flat=True)) == [two.pk]


def test_the_hand_over_is_in_the_trail_shown_to_the_association_as_amount_and_date(
    world: SimpleNamespace, paid: Application
) -> None:
    run = _run(world)
    payout = Payout.objects.get(application=paid)
    record = TransitionRecord.objects.get(application=paid, transition="hand_over_payment")
    assert record.flow == "handover" and record.actor_id == world.carl.pk
    assert {k: v for k, v in record.payload.items() if not k.startswith("_")} == {
        "target": "folder",
        "payment_run": run.pk,
        "payout": payout.pk,
        "amount": "20000.00",
        "paid_on": payout.paid_on.isoformat(),
        "reference": "UDB-1",
        "sha256": run.sha256,
    }
    assert not verify_trail(Application.objects.filter(pk=paid.pk), scoped=True).problems
    records = TransitionRecord.objects.filter(application=paid).order_by("seq")
    [seen] = [
        r
        for r in disclosed_records(world.anna, paid, records)
        if r.transition == "hand_over_payment"
    ]
    assert set(seen.payload) == {"amount", "paid_on"}
    [staff] = [
        r
        for r in disclosed_records(world.carl, paid, records)
        if r.transition == "hand_over_payment"
    ]
    assert staff.payload["payment_run"] == run.pk


@pytest.mark.parametrize("who", ["anna", "dorte", "erik", "frida", "gustav", "helle"])
def test_only_case_officers_and_managers_start_a_run(
    world: SimpleNamespace, paid: Application, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        payments.payment_run_create(
            municipality_id=world.roskilde.pk, acting_user=getattr(world, who)
        )
    assert _run(world).count == 1  # the same run, started by carl


def test_a_manager_starts_a_run(world: SimpleNamespace, paid: Application) -> None:
    from cases.models import Role

    from ..factories import UserFactory, give_role

    mette = UserFactory(username="mette")
    give_role(mette, world.roskilde, Role.MANAGER)
    run = payments.payment_run_create(municipality_id=world.roskilde.pk, acting_user=mette)
    assert run.created_by == mette
