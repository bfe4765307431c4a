"""The bulk page: the council's recommendations or the committee's decisions for a whole agenda.

Thin: the chair's access helper, the sheet (a fixed number of queries), one service
call (``bulk.bulk_record``, all or nothing), render.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.allocation import method_label
from cases.models import Body, Meeting
from web.allocation import handover
from web.bulk.forms import (
    ROW_FORMS,
    BulkRowForm,
    OverrunForm,
    VoteDefaultForm,
    committee_initial,
)
from web.forms import DAMAGED_PAGE
from workflows import bulk


def _after_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def _row_forms(
    request: HttpRequest, sheet: bulk.Sheet, allocation: dict[str, Any] | None = None
) -> list[BulkRowForm]:
    """A form per agenda item. On a POST every item is read, dealt with or not: a row that
    was open when the page was drawn and has been dealt with since must fail visibly."""
    form_class = ROW_FORMS[sheet.body]
    # A council row may cite the round's criteria, read once for the page.
    extra: dict[str, Any] = {"criteria": sheet.criteria} if sheet.body == Body.COUNCIL else {}
    forms = []
    for row in sheet.rows:
        application = row.application
        if request.method == "POST":
            form = form_class(request.POST, application=application, **extra)
        else:
            initial: dict[str, Any] = {"seen_version": application.version}
            if sheet.body == Body.COMMITTEE and not row.conflicted:
                initial = committee_initial(application)
            # Issue 20: filled in from the allocation assistant's proposal, when adopted.
            proposed = (allocation or {}).get("adjusted", {}).get(str(application.pk))
            if proposed is not None and row.pending and not row.conflicted:
                initial = handover.initial_row(
                    sheet.body,
                    application,
                    Decimal(proposed),
                    allocation["method"],  # type: ignore[index]
                )
            form = form_class(initial=initial, application=application, **extra)
        forms.append(form)
    return forms


def _rows(
    forms: list[BulkRowForm], overrun: OverrunForm | None, vote: VoteDefaultForm
) -> list[dict[str, Any]]:
    rows = [form.row(vote.vote()) for form in forms]
    if overrun is not None:
        for row in rows:
            if row["action"] == "decide":  # the transition uses it only where it applies
                row.update(overrun.cleaned_data)
    return rows


# Fields given once for the page (the overrun form), not per row.
PAGE_FIELDS = ("overrun_reason", "confirm_overrun", "hearing_exception", "hearing_exception_reason")


def _attach_errors(
    result: bulk.BulkResult,
    forms: list[BulkRowForm],
    overrun: OverrunForm | None,
    vote: VoteDefaultForm,
) -> None:
    for row_error in result.errors:
        form = forms[row_error.index]
        for name, errors in row_error.errors.items():
            for message in errors:
                if name in form.fields and name != "seen_version":
                    form.add_error(name, message)
                elif name in PAGE_FIELDS and overrun is not None:
                    overrun.add_error(name, message)
                    form.add_error(None, message)
                elif name == "unanimous":
                    vote.add_error(name, message)
                    form.add_error(None, message)
                else:
                    form.add_error(None, message)


def _totals(sheet: bulk.Sheet, forms: list[BulkRowForm]) -> dict[str, Decimal]:
    entered = sum(
        (bulk.entered_amount(sheet.body, f.application, f.values()) for f in forms),
        Decimal(0),
    )
    return {
        "pool": sheet.pool,
        "granted_before": sheet.granted_before,
        "requested": sheet.requested,
        "recommended": sheet.recommended,
        "entered": entered,
        "remaining": sheet.pool - sheet.granted_before - entered,
    }


@login_required
def meeting_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = bulk.get_meeting_for_chair(request.user, pk)
    sheet = bulk.bulk_sheet(meeting, request.user)
    # Issue 20: the allocation assistant's proposal (web/allocation), as a signed token.
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("allocation", "")
    allocation = handover.read_token(token, meeting.pk) if token else None
    forms = _row_forms(request, sheet, allocation)
    overrun: OverrunForm | None = None
    if sheet.body == Body.COMMITTEE:
        overrun = OverrunForm(request.POST if request.method == "POST" else None)
    vote = VoteDefaultForm(request.POST if request.method == "POST" else None)
    general: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        valid = (
            all([f.is_valid() for f in forms])
            and (overrun is None or overrun.is_valid())
            and vote.is_valid()
        )
        # Taken before the transitions' errors are attached: an error takes its field's value out.
        totals = _totals(sheet, forms)
        if token and allocation is None:
            valid = False
            general.append(str(DAMAGED_PAGE))
        if valid:
            result = bulk.bulk_record(
                meeting, _rows(forms, overrun, vote), user=request.user, allocation=allocation
            )
            if result.ok:
                count = len(result.recorded)
                messages.success(
                    request,
                    ngettext("%(n)s item recorded.", "%(n)s items recorded.", count) % {"n": count},
                )
                return redirect(_after_url(meeting))
            _attach_errors(result, forms, overrun, vote)
            general = result.general
    else:
        totals = _totals(sheet, forms)
        if token and allocation is None:
            messages.warning(
                request,
                _("The allocation proposal could not be read (too old or damaged). Make it again."),
            )
    shown = {f.application.pk for f in forms if f.errors}
    return render(
        request,
        "bulk/meeting_bulk.html",
        {
            "meeting": meeting,
            "sheet": sheet,
            "committee": sheet.body == Body.COMMITTEE,
            "open_rows": [
                (row, form)
                for row, form in zip(sheet.rows, forms, strict=True)
                if row.pending or row.application.pk in shown
            ],
            "done_rows": [
                row for row in sheet.rows if not row.pending and row.application.pk not in shown
            ],
            "failed": [f for f in forms if f.errors],
            "general": general,
            "overrun": overrun,
            "vote": vote,
            "totals": totals,
            "decimal_separator": get_format("DECIMAL_SEPARATOR"),
            "thousand_separator": get_format("THOUSAND_SEPARATOR"),
            "back_url": _after_url(meeting),
            "body_name": meeting.round.municipality.council_name
            if sheet.body == Body.COUNCIL
            else meeting.round.municipality.committee_name,
            "allocation": allocation,
            "allocation_token": token if allocation else "",
            "allocation_method": method_label(allocation["method"]) if allocation else "",
            "allocation_url": reverse("allocation:meeting_allocation", args=[meeting.pk]),
            "title": _("Record the council's recommendations")
            if sheet.body == Body.COUNCIL
            else _("Record the committee's decisions"),
        },
        status=status,
    )
