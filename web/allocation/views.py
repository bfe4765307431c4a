"""The allocation assistant (»Fordelingsforslag«) on a council or committee meeting.

The chair of the meeting's body picks a method and limits, fixes amounts where they
like, and »Beregn« re-computes (a plain form POST; static/js/allocation.js re-posts on
change and swaps in the results). »Overfør« opens the bulk page filled in with the
proposal. The case officer may look (read-only: the default proposal); everyone else
is refused. Nothing is saved here: the bulk recording writes the records.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import roles
from cases.allocation import Allocation, Method, Note, allocate, method_label
from cases.formatting import money
from cases.models import Body, Meeting, Role
from cases.selectors import allocation as selectors
from cases.services.meeting_prep import get_meeting_for_staff
from web.allocation.forms import AllocationForm
from web.allocation.handover import make_token, read_token
from web.home.charts import pool_gauge
from workflows import bulk

NOTES = {
    Note.FULL: gettext_lazy("In full"),
    Note.CUT: gettext_lazy("Cut"),
    Note.BELOW_MINIMUM: gettext_lazy("Refused: below the minimum"),
    Note.NO_MONEY: gettext_lazy("Nothing left in the pool"),
    Note.FIXED: gettext_lazy("Fixed by the chair"),
}


def get_meeting_for_allocation(user: Any, pk: int) -> tuple[Meeting, bool]:
    """The meeting and whether ``user`` may work the assistant: its body's chair may; the
    case officer may look; other staff get 403, anyone outside the municipality 404."""
    meeting = get_meeting_for_staff(user, pk)
    who = roles.profile(user)
    municipality_id = meeting.round.municipality_id
    if who.has_role(municipality_id, bulk.CHAIR_ROLE[meeting.body]):
        return meeting, True
    if who.has_role(municipality_id, Role.CASE_OFFICER):
        return meeting, False
    if meeting.body == Body.COUNCIL:
        raise PermissionDenied(_("Only the council's chair works out an allocation proposal."))
    raise PermissionDenied(_("Only the committee's chair works out an allocation proposal."))


def _params(form: AllocationForm, pool_left: Decimal) -> dict[str, Any]:
    """The parameters as the records and the minutes keep them (names, not ids)."""
    limits = form.chosen_limits()
    names = selectors.named(form.areas)
    cases = {c.application.pk: c.application.case_number for c in form.candidates}
    return {
        "pool": str(pool_left),
        "minimum": str(limits.minimum) if limits.minimum else None,
        "ceiling": str(limits.ceiling) if limits.ceiling is not None else None,
        "shares": {names[pk]: str(share * 100) for pk, share in limits.shares.items()},
        "fixed": {cases[pk]: str(amount) for pk, amount in form.chosen_fixed().items()},
    }


@login_required
def meeting_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, may_edit = get_meeting_for_allocation(request.user, pk)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied(_("Only the chair of the meeting's body works the assistant."))
    sheet = bulk.bulk_sheet(meeting, request.user)
    found = selectors.candidates([(row.position, row.application) for row in sheet.pending])
    areas = selectors.focus_areas(meeting)
    pool_left = max(sheet.pool - sheet.granted_before, Decimal(0))
    posted: Any = request.POST if request.method == "POST" else None
    if posted is None and may_edit and request.GET.get("allocation"):
        # Back from the bulk page: the form as the chair left it (handover.make_token).
        adopted = read_token(request.GET["allocation"], meeting.pk)
        posted = (adopted or {}).get("typed") or None
    # An item the chair is disqualified on (fvl. § 3) is fitted like the others, but its
    # amount is not theirs to fix; the vice-chair records it on its own.
    conflicted = {row.application.pk for row in sheet.pending if row.conflicted}
    form = AllocationForm(
        posted, candidates=found, areas=areas, pool_left=pool_left, conflicted=conflicted
    )
    status = 200
    result: Allocation | None = None
    if posted is None:
        result = allocate([c.item({}) for c in found], pool_left, Method.PRO_RATA)
    elif form.is_valid():
        limits = form.chosen_limits()
        items = [c.item(limits.shares) for c in found]
        method = form.chosen_method()
        fixed = form.chosen_fixed()
        result = allocate(items, pool_left, method, limits, fixed)
        if posted.get("action") == "adopt":
            baseline = allocate(items, pool_left, method, limits) if fixed else result
            token = make_token(
                meeting_id=meeting.pk,
                result=result,
                baseline=baseline,
                params=_params(form, pool_left),
                typed={name: str(posted.get(name, "")) for name in form.fields},
            )
            url = reverse("bulk:meeting_bulk", args=[meeting.pk])
            return redirect(f"{url}?{urlencode({'allocation': token})}")
    else:
        status = 400
    proposals = result.amounts() if result is not None else {}
    notes = {row.id: NOTES[row.note] for row in result.rows} if result is not None else {}
    used = result.used if result is not None else Decimal(0)
    requested = sum((c.requested for c in found), Decimal(0))
    council = meeting.body == Body.COUNCIL
    body_name = (
        meeting.round.municipality.council_name
        if council
        else meeting.round.municipality.committee_name
    )
    return render(
        request,
        "allocation/meeting_allocation.html",
        {
            "meeting": meeting,
            "council": council,
            "body_name": body_name,
            "may_edit": may_edit,
            "form": form,
            "rows": [
                (
                    c,
                    proposals.get(c.application.pk),
                    notes.get(c.application.pk),
                    form.fix_field(c),
                )
                for c in sorted(found, key=lambda c: c.rank)
            ],
            "method_name": method_label(result.method) if result is not None else "",
            "totals": {
                "pool": sheet.pool,
                "granted_before": sheet.granted_before,
                "pool_left": pool_left,
                "requested": requested,
                "proposed": used,
                "left": pool_left - used,
            },
            "gauge": pool_gauge(
                pool=sheet.pool,
                granted=sheet.granted_before,
                recommended=used,
                requested=sheet.granted_before + requested,
                label=_("The pool: %(pool)s; granted before: %(granted)s; proposed: %(used)s")
                % {
                    "pool": money(sheet.pool),
                    "granted": money(sheet.granted_before),
                    "used": money(used),
                },
            ),
            "back_url": reverse("meetings:meeting_detail", args=[meeting.pk]),
            "bulk_url": reverse("bulk:meeting_bulk", args=[meeting.pk]),
        },
        status=status,
    )
