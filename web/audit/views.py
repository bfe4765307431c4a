"""The auditor's pages: a case's trail and documents, a round's decisions and its complete
export (made by a worker, cases/services/round_exports.py)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cases import access, roles
from cases.documents import cells, decisions, exports
from cases.documents.letters import letter_pdf
from cases.models import Document, ExportState
from cases.parsing import parse_id
from cases.selectors import staff as staff_selectors
from cases.services import round_exports
from cases.trail.keys import public_key_b64
from cases.trail.timeline import KINDS, trail_events
from cases.uploads import download_response, harden_download

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
def trail_public_key(request: HttpRequest) -> HttpResponse:
    """The public key the trail's checkpoints are signed with: public, for anyone who
    checks a checkpoint file (it verifies a signature, it cannot make one)."""
    return HttpResponse(public_key_b64() + "\n", content_type="text/plain; charset=utf-8")


def _require_staff(user: object, municipality_id: int) -> None:
    if municipality_id not in roles.profile(user).municipality_ids:
        raise PermissionDenied(_("The full trail of a case is for the municipality's staff."))


@login_required
def application_trail(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    _require_staff(request.user, application.municipality_id)
    chosen = {k for k in request.GET.getlist("kind") if k in KINDS}
    events = trail_events(application, chosen or None)
    return render(
        request,
        "audit/trail.html",
        {
            "application": application,
            "events": events,
            "kinds": [(key, label, key in chosen) for key, label in KINDS.items()],
        },
    )


@login_required
@require_safe
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = (
        Document.objects.select_related("application")
        .filter(pk=pk, application__in=access.visible_applications(request.user))
        .first()
    )
    if document is None:
        raise Http404(_("No such document."))
    document = letter_pdf(document)  # printed after commit; if not yet, now
    return download_response(
        document.pdf.open("rb"),
        f"{document.application.case_number}-{document.kind}.pdf",
        "application/pdf",
    )


@login_required
def round_decisions(request: HttpRequest, pk: int) -> HttpResponseBase:
    grant_round = access.get_round_for_staff(request.user, pk)
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in decisions.OUTCOMES else ""
    sort = request.GET.get("sort", "case")
    sort = sort if sort in decisions.SORTS else "case"
    focus_raw = request.GET.get("focus", "")
    focus = parse_id(focus_raw)
    rows = decisions.decision_rows(grant_round, outcome=outcome, focus=focus, sort=sort)
    fmt = request.GET.get("format", "")
    stem = slugify(f"{grant_round.name}-afgoerelser") or "afgoerelser"
    if fmt == "csv":
        response = StreamingHttpResponse(
            decisions.csv_lines(rows, cells.dialect_named(request.GET.get("csv"))),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return harden_download(response)
    if fmt == "xlsx":
        return _spooled_response(
            lambda target: decisions.write_xlsx(
                rows, f"{grant_round.municipality.name}: {grant_round.name}", target
            ),
            f"{stem}.xlsx",
            XLSX,
        )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "audit/round_decisions.html",
        {
            "round": grant_round,
            "rows": rows,
            "totals": decisions.totals(rows),
            "outcomes": decisions.OUTCOMES.items(),
            "outcome": outcome,
            "sort": sort,
            "sorts": decisions.SORTS.keys(),
            "focus_areas": grant_round.focus_areas.order_by("name"),
            "focus": focus,
            "query": query.urlencode(),
        },
    )


def _spooled_response(
    write: Any, filename: str, content_type: str = "application/zip"
) -> FileResponse:
    """Written into a temporary file (in memory up to 20 MB, then on disk) and streamed
    from there, never built as one string."""
    spool = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    write(spool)
    spool.seek(0)
    return download_response(spool, filename, content_type)


@login_required
def application_export(request: HttpRequest, pk: int) -> FileResponse:
    application = access.get_application_for(request.user, pk)
    _require_staff(request.user, application.municipality_id)
    return _spooled_response(
        lambda target: exports.case_file_zip(application, target),
        f"sag-{slugify(application.case_number)}.zip",
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's complete export: asked for here (POST), made by a worker (minutes for a
    large round), downloaded from here when it is ready. The page lists the user's own."""
    grant_round = access.get_round_for_staff(request.user, pk)
    if request.method == "POST":
        _export, created = round_exports.request_export(
            grant_round, request.user, translation.get_language()
        )
        if created:
            messages.success(request, _("The export is being made. You can leave this page."))
        else:
            messages.info(request, _("Your export of this round is already being made."))
        return redirect("audit:round_export", pk=grant_round.pk)
    made = staff_selectors.round_exports_of(grant_round, request.user)
    return render(
        request,
        "audit/round_export.html",
        {
            "round": grant_round,
            "exports": made,
            "unfinished": any(e.unfinished for e in made),
            "keep_hours": int(settings.PULJEFLOW_EXPORT_KEEP_HOURS),
        },
    )


@login_required
@require_safe
def round_export_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A ready export's ZIP, for the one who asked for it (``access.get_export_for``)."""
    export = access.get_export_for(request.user, pk)
    back = redirect("audit:round_export", pk=export.grant_round_id)
    if export.state != ExportState.READY:
        messages.error(
            request,
            _("This export cannot be downloaded: %(state)s.") % {"state": export.state.label},
        )
        return back
    try:
        handle = export.file.open("rb")
    except (FileNotFoundError, ValueError):
        messages.error(request, _("The export's file is missing. Order a new export."))
        return back
    day = timezone.localtime(export.finished_at).date().isoformat()
    return download_response(
        handle, f"{slugify(export.grant_round.name) or 'pulje'}-{day}.zip", "application/zip"
    )
