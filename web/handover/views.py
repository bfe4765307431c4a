"""Hand-overs on screen (issue 18, item 6): »Journaliser nu« on the case page, and payment
runs from /payouts/ (confirm, the run, its file again). Thin: access, one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import access
from cases.documents import cells
from cases.handover import payments, permissions, runner
from cases.handover.finance import finance_enabled
from cases.handover.journal import journal_enabled
from cases.models import Handover, HandoverStatus, Municipality
from cases.parsing import parse_id


@login_required
@require_POST
def journal_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the case and all its documents to the journal now."""
    application = access.get_application_for(request.user, pk)
    permissions.require_may_journal(request.user, application)
    if not journal_enabled():
        messages.error(request, _("Journalising is switched off (PULJEFLOW_JOURNAL=off)."))
        return redirect("applications:application_detail", pk=application.pk)
    runner.journal_now(application=application, acting_user=request.user)
    failed = Handover.objects.filter(application=application, status=HandoverStatus.FAILED)
    if failed.exists():
        messages.error(
            request,
            _("%(count)s of the case's documents could not be journalised; they are tried again.")
            % {"count": failed.count()},
        )
    else:
        messages.success(
            request, _("Case %(case)s is journalised.") % {"case": application.case_number}
        )
    return redirect("applications:application_detail", pk=application.pk)


def _municipality(request: HttpRequest, allowed: list[int]) -> Municipality:
    if not allowed:
        raise PermissionDenied(
            _("Only the municipality's case officers and managers start a payment run.")
        )
    chosen = parse_id(request.POST.get("municipality") or request.GET.get("municipality"))
    if chosen is not None and chosen not in allowed:
        raise PermissionDenied(
            _("Only the municipality's case officers and managers start a payment run.")
        )
    return Municipality.objects.get(pk=chosen or allowed[0])


@login_required
def payment_run_new(request: HttpRequest) -> HttpResponse:
    """»Opret betalingsfil«: the payouts not yet handed over, ticked; confirm to hand over."""
    allowed = permissions.run_municipalities(request.user, write=True)
    municipality = _municipality(request, allowed)
    pending = list(payments.pending_payouts(municipality.pk))
    errors: list[str] = []
    status = 200
    chosen = {p.pk for p in pending}
    if request.method == "POST":
        ids = [i for i in (parse_id(v) for v in request.POST.getlist("payouts")) if i]
        chosen = set(ids)
        try:
            run = payments.payment_run_create(
                municipality_id=municipality.pk, acting_user=request.user, payout_ids=ids
            )
        except payments.PaymentRunConflict as conflict:
            errors, status = [conflict.message], conflict.status_code
        except ValidationError as refusal:
            errors, status = refusal.messages, 400
        else:
            messages.success(
                request,
                _("Payment run %(run)s is handed to the finance system (payouts: %(count)s).")
                % {"run": run.pk, "count": run.count},
            )
            return redirect("handover:payment_run_detail", pk=run.pk)
    total = sum((p.amount for p in pending if p.pk in chosen), start=0)
    return render(
        request,
        "handover/payment_run_new.html",
        {
            "municipality": municipality,
            "municipalities": Municipality.objects.filter(pk__in=allowed),
            "pending": pending,
            "chosen": chosen,
            "total": total,
            "errors": errors,
            "enabled": finance_enabled(),
        },
        status=status,
    )


@login_required
@require_GET
def payment_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = permissions.get_run_for(request.user, pk)
    return render(
        request,
        "handover/payment_run_detail.html",
        {"run": run, "items": run.items.select_related("payout__application")},
    )


@login_required
@require_GET
def payment_run_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file exactly as it was handed to the finance system."""
    run = permissions.get_run_for(request.user, pk)
    response = HttpResponse(run.content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="betalingsfil-{run.file_name}"'
    return response


@login_required
@require_GET
def payment_run_csv(request: HttpRequest, pk: int) -> Any:
    """The run as a table for people: Danish Excel, or ``?csv=standard``."""
    run = permissions.get_run_for(request.user, pk)
    dialect = cells.dialect_named(request.GET.get("csv"))
    response = StreamingHttpResponse(
        cells.csv_lines(payments.run_csv_rows(run), dialect=dialect),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="betalingskoersel-{run.pk}.csv"'
    return response
