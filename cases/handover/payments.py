"""Payment runs: the registered payouts of a municipality handed to its finance system.

A payout comes into being when a case officer registers it (the flow's ``pay``
transition: amount, payment date, reference; the case moves to ``paid``). A payment run
hands registered payouts over as one file; it changes no case's status — a status is only
ever set by a transition in ``workflows/``, and the payout is registered already. So the
run marks nothing: it records, per payout, that it went to the finance system in which
run (a ``hand_over_payment`` event in the case's trail, and the payout's one
``PaymentRunItem``).

A payout is in at most one run: the database holds one ``PaymentRunItem`` per payout, and
a run asked for a payout that is in a run already is refused (``PaymentRunConflict``,
409) naming the run.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cases.handover import finance as finance_module
from cases.handover.permissions import require_may_start_runs
from cases.models import PaymentRun, PaymentRunItem, Payout, Role
from cases.services.case_events import record_case_event

FLOW = "handover"
EVENT = "hand_over_payment"


class PaymentRunConflict(Exception):
    """A payout asked for is in a payment run already (or gone): 409."""

    status_code = 409

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def pending_payouts(municipality_id: int) -> QuerySet[Payout]:
    """Registered payouts of the municipality in no payment run yet, oldest first."""
    return (
        Payout.objects.filter(
            application__municipality_id=municipality_id, payment_run_item__isnull=True
        )
        .select_related("application__association")
        .order_by("paid_on", "pk")
    )


def _line(payout: Payout) -> finance_module.PaymentLine:
    application = payout.application
    return finance_module.PaymentLine(
        payout=payout.pk,
        cvr=application.association.cvr,
        association=application.association.name,
        case_number=application.case_number,
        amount=payout.amount,
        paid_on=payout.paid_on.isoformat(),
        reference=payout.reference,
        account=finance_module.NEMKONTO,
        text=finance_module.statement_text(application.case_number, payout.reference),
    )


def _refuse_taken(municipality_id: int, payout_ids: list[int], found: set[int]) -> None:
    missing = [pk for pk in payout_ids if pk not in found]
    if not missing:
        return
    taken = (
        PaymentRunItem.objects.filter(payout_id__in=missing)
        .select_related("payout__application")
        .order_by("payout_id")
        .first()
    )
    if taken is not None:
        raise PaymentRunConflict(
            _("The payout on case %(case)s is already in payment run %(run)s.")
            % {"case": taken.payout.application.case_number, "run": taken.run_id}
        )
    raise PaymentRunConflict(
        _("A payout you chose is not a registered payout of the municipality.")
    )


def payment_run_create(
    *, municipality_id: int, acting_user: Any, payout_ids: list[int] | None = None
) -> PaymentRun:
    """A run of ``payout_ids`` (None: every payout not yet in a run), handed over now.

    Refuses (PermissionDenied) a user who is not a case officer or manager of the
    municipality, (ValidationError) a run with no payouts, (PaymentRunConflict) a payout
    already in a run. The file is written by the adapter inside the run's transaction: a
    run exists only if its file was handed over."""
    require_may_start_runs(acting_user, municipality_id)
    if not finance_module.finance_enabled():
        raise ValidationError(_("Payment runs are switched off (PULJEFLOW_FINANCE=off)."))
    adapter = finance_module.finance()
    wanted = sorted(set(payout_ids)) if payout_ids is not None else None
    try:
        with transaction.atomic():
            # Only the payouts are locked: PostgreSQL locks no nullable side of a join.
            chosen = pending_payouts(municipality_id).select_for_update(of=("self",))
            if wanted is not None:
                chosen = chosen.filter(pk__in=wanted)
            payouts = list(chosen)
            if wanted is not None:
                _refuse_taken(municipality_id, wanted, {p.pk for p in payouts})
            if not payouts:
                raise ValidationError(_("There are no payouts to hand over."))
            lines = [_line(p) for p in payouts]
            content = finance_module.payment_file(lines)
            run = PaymentRun.objects.create(
                municipality_id=municipality_id,
                target=adapter.name,
                created_by=acting_user,
                count=len(lines),
                total=sum((line.amount for line in lines), Decimal("0")),
                file_name="",
                content=content.decode("utf-8"),
                sha256=hashlib.sha256(content).hexdigest(),
            )
            run.file_name = f"{run.pk}.csv"
            for line in lines:
                PaymentRunItem.objects.create(
                    run=run,
                    payout_id=line.payout,
                    cvr=line.cvr,
                    association=line.association,
                    case_number=line.case_number,
                    amount=line.amount,
                    paid_on=line.paid_on,
                    reference=line.reference,
                    account=line.account,
                    text=line.text,
                )
            run.reference = adapter.hand_over_run(run.pk, run.file_name, content)
            run.save(update_fields=["file_name", "reference"])
            officer = Role.CASE_OFFICER.value
            for payout, line in zip(payouts, lines, strict=True):
                record_case_event(
                    payout.application,
                    flow=FLOW,
                    event=EVENT,
                    actor=acting_user,
                    role=officer,
                    reason=line.text,
                    target=adapter.name,
                    payment_run=run.pk,
                    payout=payout.pk,
                    amount=line.amount,
                    paid_on=line.paid_on,
                    reference=line.reference,
                    sha256=run.sha256,
                )
    except IntegrityError as error:
        # Another run took one of the payouts between our read and our write.
        raise PaymentRunConflict(
            _("One of the payouts was put in another payment run meanwhile. Try again.")
        ) from error
    return run


def run_csv_rows(run: PaymentRun) -> list[list[Any]]:
    """The run as a table for people (Danish Excel by default): the same lines as its file."""
    rows: list[list[Any]] = [
        [
            _("CVR number"),
            _("Association"),
            _("Case no."),
            _("Amount"),
            _("Payment date"),
            _("Payment reference"),
            _("Account"),
            _("Text"),
        ]
    ]
    for item in run.items.all():
        rows.append(
            [
                item.cvr,
                item.association,
                item.case_number,
                item.amount,
                item.paid_on,
                item.reference,
                item.account,
                item.text,
            ]
        )
    return rows
