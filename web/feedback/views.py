"""The associations' voice on screen (issue 20, item 3): the questionnaire on the application's
page, the results per round and per year for the municipality's staff, the yearly summary a
case officer sends back, and the summaries as PDF.

No page for staff names an association or a case: the results come from
``cases.selectors.feedback`` (aggregates and comments only), and a single answer is shown
to no one but the association that gave it (as a thank-you).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases import access, roles
from cases.documents import feedback_summary as summary_document
from cases.models import MIN_ANSWERS, Feedback, FeedbackSummary, GrantRound, Municipality
from cases.selectors import feedback as selectors
from cases.selectors.feedback import Results, Share
from cases.services import feedback as services
from web.feedback.forms import FeedbackForm, SummaryForm
from web.home.charts import Bar, bar_chart


def _form_errors(form: Any, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The association answers (or says »Nej tak«); once either is done, it is thanked."""
    application = access.get_application_for(request.user, pk)
    answer = Feedback.objects.filter(application=application).first()
    context: dict[str, Any] = {
        "application": application,
        "answer": answer,
        "min_answers": MIN_ANSWERS,
    }
    refusal = services.feedback_refusal(request.user, application)
    if refusal is not None:
        context["refused"] = refusal
        # Staff never see a single answer (403); the association before its decision is told
        # when it can answer (a POST then is 409: not possible in this state).
        status = 403
        if roles.represents(request.user, application):
            status = 409 if request.method == "POST" else 200
        return render(request, "feedback/feedback_answer.html", context, status=status)
    if answer is not None:
        return render(
            request,
            "feedback/feedback_answer.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if request.method != "POST":
        return render(request, "feedback/feedback_answer.html", context)
    try:
        if "decline" in request.POST:
            services.feedback_decline(application=application, acting_user=request.user)
            messages.success(request, _("Thank you. You will not be asked again about this case."))
            return redirect("applications:application_detail", pk=application.pk)
        if form.is_valid():
            data = form.cleaned_data
            services.feedback_answer(
                application=application,
                acting_user=request.user,
                ease=data["ease"],
                time_spent=data["time_spent"],
                unclear=data["unclear"],
                comment=data["comment"],
            )
            messages.success(
                request, _("Thank you for your answer. It helps us make applying easier.")
            )
            return redirect("applications:application_detail", pk=application.pk)
    except ValidationError as error:
        _form_errors(form, error)
    except services.AlreadyAnswered:
        context["answer"] = Feedback.objects.filter(application=application).first()
        return render(request, "feedback/feedback_answer.html", context, status=409)
    return render(request, "feedback/feedback_answer.html", context, status=400)


# --- results ---------------------------------------------------------------------------------


def _chart(shares: list[Share], caption: str, *, keyed: bool = False) -> dict[str, Any]:
    bars = [
        Bar(f"{s.key} – {s.label}" if keyed else s.label, s.count, str(s.count)) for s in shares
    ]
    return {"caption": caption, "bars": bars, "svg": bar_chart(bars, label=caption)}


def _results_context(results: Results) -> dict[str, Any]:
    charts = []
    if not results.suppressed:
        charts = [
            _chart(results.ease, _("How easy was it to apply?"), keyed=True),
            _chart(results.time_spent, _("How long did it take?")),
            _chart(results.unclear, _("What was unclear?")),
        ]
    return {
        "results": results,
        "charts": charts,
        "average": number_format(results.average_ease, 1)
        if results.average_ease is not None
        else "",
    }


@login_required
@require_safe
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = get_object_or_404(GrantRound.objects.select_related("municipality"), pk=pk)
    if not selectors.may_read_results(request.user, grant_round.municipality_id):
        raise Http404(_("No such grant round."))
    context = {
        "grant_round": grant_round,
        "year": selectors.year_of(grant_round),
        **_results_context(selectors.round_results(grant_round)),
    }
    return render(request, "feedback/round_results.html", context)


def _chosen_municipality(request: HttpRequest) -> tuple[Municipality, list[Municipality]]:
    """The municipality asked for (``?municipality=``) among those the user reads; else the
    first. 403 for a user who reads none."""
    readable = list(selectors.readable_municipalities(request.user))
    if not readable:
        raise PermissionDenied(_("Only the municipality's staff see the questionnaire's results."))
    wanted = request.GET.get("municipality", "") or request.POST.get("municipality", "")
    chosen = next((m for m in readable if str(m.pk) == wanted), readable[0])
    return chosen, readable


def _chosen_year(request: HttpRequest, years: list[int]) -> int:
    raw = request.GET.get("year", "") or request.POST.get("year", "")
    if raw.isdigit() and len(raw) == 4:
        return int(raw)
    return years[0] if years else timezone.localdate().year


@login_required
@require_safe
def year_results(request: HttpRequest) -> HttpResponse:
    municipality, readable = _chosen_municipality(request)
    years = selectors.years_with_rounds(municipality)
    year = _chosen_year(request, years)
    context = {
        "municipality": municipality,
        "municipalities": readable,
        "years": years,
        "year": year,
        "sent": FeedbackSummary.objects.filter(municipality=municipality, year=year).first(),
        "may_send": services.summary_refusal(request.user, municipality) is None,
        **_results_context(selectors.year_results(municipality, year)),
    }
    return render(request, "feedback/year_results.html", context)


@login_required
def summary_new(request: HttpRequest) -> HttpResponse:
    """A case officer composes the year's summary (the figures prefilled) and sends it."""
    municipality, _readable = _chosen_municipality(request)
    refusal = services.summary_refusal(request.user, municipality)
    if refusal is not None:
        raise PermissionDenied(refusal)
    years = selectors.years_with_rounds(municipality)
    year = _chosen_year(request, years)
    sent = FeedbackSummary.objects.filter(municipality=municipality, year=year).first()
    form = SummaryForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                summary = services.feedback_summary_send(
                    municipality=municipality,
                    year=year,
                    text=form.cleaned_data["text"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                _form_errors(form, error)
                status = 409 if sent is not None else 400
            else:
                messages.success(
                    request,
                    _("The summary for %(year)s has been sent to %(n)s associations.")
                    % {"year": year, "n": summary.recipients},
                )
                return redirect(_year_url(municipality, year))
    context = {
        "municipality": municipality,
        "year": year,
        "form": form,
        "sent": sent,
        "recipients": selectors.associations_of_year(municipality, year).count(),
        **_results_context(selectors.year_results(municipality, year)),
    }
    return render(request, "feedback/summary_new.html", context, status=status)


def _year_url(municipality: Municipality, year: int) -> str:
    return f"{reverse('feedback:year_results')}?municipality={municipality.pk}&year={year}"


@login_required
@require_safe
def summaries(request: HttpRequest) -> HttpResponse:
    """The yearly summaries the user may read: an association's, or the municipality's."""
    return render(
        request,
        "feedback/summaries.html",
        {"summaries": list(selectors.summaries_for(request.user))},
    )


@login_required
@require_safe
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    summary = selectors.summaries_for(request.user).filter(pk=pk).first()
    if summary is None:
        raise Http404(_("No such summary."))
    response = HttpResponse(summary_document.summary_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{summary_document.summary_filename(summary)}"'
    )
    return response
