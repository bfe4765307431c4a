"""Screens for applicants and case officers. Thin: access helper, one service or transition, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import access, disqualification, roles
from cases.completeness import missing
from cases.errors import InvalidInput, TransitionError
from cases.models import Application, ApplicationStatus, Association, Meeting
from cases.parsing import parse_id
from cases.roles import role_label
from cases.selectors import applications as selectors
from cases.selectors import feedback as feedback_selectors
from cases.selectors.criteria import round_texts
from cases.selectors.messages import open_question
from cases.services import applications as services
from cases.services import grants as grant_services
from cases.trail.disclosure import disclosed_records
from cases.trail.timeline import event_labels
from cases.uploads import stored_upload_response
from notifications.digital_post.selectors import letters_with_delivery
from web.applications import steps, views_draft
from web.applications.forms import (
    NewApplicationForm,
    transition_form,
)
from web.case_messages.views import thread_context
from web.council.views import declare_conflict_panel
from web.forms import DAMAGED_PAGE, seen_state
from web.inbox.views import assignment_panel
from web.notes.views import notes_context
from workflows import engine
from workflows.chart import flow_chart_svg
from workflows.votes import VOTE_FIELDS

# --- applicant ---------------------------------------------------------------------------


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = selectors.applications_for_applicant(request.user)
    return render(
        request,
        "applications/my_applications.html",
        {
            "applications": applications,
            "can_start": bool(roles.profile(request.user).represents),
            "associations": Association.objects.filter(
                pk__in=roles.profile(request.user).represents
            ).order_by("name"),
        },
    )


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    who = roles.profile(request.user)
    if not who.represents:
        raise PermissionDenied(_("You do not represent any association."))
    rounds = selectors.open_rounds_for(request.user)
    associations = Association.objects.filter(pk__in=who.represents)
    # "Start ansøgning" on the home names the round and the association.
    chosen = {k: parse_id(request.GET.get(k)) for k in ("round", "association")}
    form = NewApplicationForm(
        request.POST or None,
        rounds=rounds,
        associations=associations,
        initial={k: v for k, v in chosen.items() if v is not None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                grant_round=form.cleaned_data["round"],
                association=form.cleaned_data["association"],
                acting_user=request.user,
                data={"title": form.cleaned_data["title"]},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Draft %(case)s created. Fill in the application and submit it before the deadline."
                )
                % {"case": application.case_number},
            )
            return redirect("applications:application_edit", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "rounds": rounds, "round_texts": round_texts(rounds)}
    return render(request, "applications/application_new.html", context, status=status)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk, write=True)
    return views_draft.upload_keeping_input(request, application)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = access.get_attachment_for(request.user, pk, write=True)
    application_pk = attachment.application_id
    services.attachment_remove(attachment=attachment, acting_user=request.user)
    messages.success(request, _("The attachment has been removed."))
    return redirect("applications:draft_step", pk=application_pk, step="attachments")


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return stored_upload_response(access.get_attachment_for(request.user, pk))


# --- both --------------------------------------------------------------------------------


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404(_("No such application."))
    actions = engine.offered_transitions(application, request.user)
    # A decision at a meeting that cannot be taken yet (the meeting's date, presence,
    # quorum) is not offered; the page says why instead.
    blocked = {
        t.slug: (t.label, message)
        for t in actions
        if t.custom.get("at_meeting")
        and (message := engine.unmet_condition(application, t.slug, request.user))
    }
    # The report and its approval have their own pages (views_reports.py).
    own_pages = {
        "submit_report": "after_grant:report_submit",
        "approve_report": "after_grant:report_approve",
        "answer_hearing": "hearings:hearing_answer",
        "submit": "applications:draft_review",  # every answer once more, then submit
    }
    after_grant = grant_services.after_grant_context(application)
    labels = event_labels()
    # What the viewer may see of the case's history: the association less than the staff.
    records = disclosed_records(
        request.user,
        application,
        application.timeline,  # type: ignore[attr-defined]
    )
    timeline = [
        {
            "record": record,
            "label": labels.get(record.transition, record.transition),
            "role": role_label(record.role) if record.role else "",
            "from_label": ApplicationStatus(record.from_state).label,
            "to_label": ApplicationStatus(record.to_state).label,
        }
        for record in records
    ]
    return render(
        request,
        "applications/application_detail.html",
        {
            "application": application,
            "actions": [
                (t.slug, t.label, reverse(own_pages[t.slug], args=[application.pk]))
                if t.slug in own_pages
                else (
                    t.slug,
                    t.label,
                    reverse("applications:application_act", args=[application.pk, t.slug]),
                )
                for t in actions
                if t.slug not in blocked
            ],
            "blocked": list(blocked.values()),
            "may_edit": access.may_edit(request.user, application),
            "timeline": timeline,
            "problems": [
                (problem.message, steps.field_url(application.pk, problem.field))
                for problem in missing(application)
            ]
            if application.status == ApplicationStatus.DRAFT
            else [],
            "is_staff": application.municipality_id in roles.profile(request.user).municipality_ids,
            "conflict_panel": declare_conflict_panel(request.user, application),
            "assignment": assignment_panel(request.user, application),
            **_disqualification(request.user, application),
            "hearings": list(application.hearings.all()),  # prefetched with their attachments
            "letters": letters_with_delivery(application),  # with how each went to Digital Post
            **after_grant,
            **notes_context(request.user, application),
            **thread_context(request.user, application),
            # Issue 20, voice: the questionnaire after the decision letter (no query: the
            # answer comes with the case, cases/selectors/applications.py).
            "feedback_open": roles.represents(request.user, application)
            and feedback_selectors.open_invitation(application),
        },
    )


def _disqualification(user: Any, application: Application) -> dict[str, str]:
    """For staff: whether the user is disqualified, and whether the case waits because
    everyone who could act next is (forvaltningsloven § 3)."""
    if application.municipality_id not in roles.profile(user).municipality_ids:
        return {}
    return {
        "disqualified": disqualification.disqualification_refusal(user, application),
        "waiting": disqualification.waiting_reason(application),
    }


# The usage report and its approval have their own pages (lines, files, settlement).
DEDICATED_PAGES = {
    "submit_report": "after_grant:report_submit",
    "approve_report": "after_grant:report_approve",
    "answer_hearing": "hearings:hearing_answer",  # with files: web/hearings
}


@login_required
def application_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    # Another flow's action is found too, and refused below as not permitted (403).
    transitions = engine.transitions_of(engine.flow_with(name, engine.flow_for(application))).get(
        name
    )
    if not transitions:
        raise Http404(_("No such action."))
    if name in DEDICATED_PAGES:
        return redirect(DEDICATED_PAGES[name], pk=application.pk)
    label = transitions[0].label
    meetings = Meeting.objects.filter(agenda_items__application=application).order_by("-date")
    form = transition_form(
        name,
        request.POST or None,
        request.FILES or None,
        meetings=meetings,
        application=application,
    )
    status = 200
    if request.method == "POST" and not engine.may_take(application, name, request.user):
        return render(
            request,
            "applications/application_act.html",
            {
                "application": application,
                "name": name,
                "label": label,
                "refused": engine.refusal_message(application, name, request.user),
            },
            status=403,
        )
    if request.method == "POST":
        status = 400
        seen = seen_state(request.POST, application.status)
        if seen is None:
            form.add_error(None, DAMAGED_PAGE)
        elif form.is_valid():
            try:
                engine.perform(
                    application, name, user=request.user, **seen, **form.transition_data()
                )
            except InvalidInput as error:
                for field, errors in error.errors.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            except TransitionError as error:
                form.add_error(None, error.message)
                status = error.status_code
                application.refresh_from_db()
            else:
                if name == "submit":
                    messages.success(request, views_draft.submitted_message(application))
                    return redirect("applications:application_receipt", pk=application.pk)
                messages.success(request, _("Done: %(action)s.") % {"action": label})
                return redirect("applications:application_detail", pk=application.pk)
    return render(
        request,
        "applications/application_act.html",
        {
            "application": application,
            "form": form,
            "name": name,
            "label": label,
            "vote_fields": VOTE_FIELDS,
            # The answer's page shows the question it answers: who asked, and when.
            "question": open_question(application) if name == "provide_info" else None,
            # Said before the form is filled in, e.g. a meeting whose day has not come.
            "unmet": engine.unmet_condition(application, name, request.user)
            if request.method == "GET" and transitions[0].custom.get("at_meeting")
            else "",
        },
        status=status,
    )


# --- case officer ------------------------------------------------------------------------


@login_required
def flow_chart(request: HttpRequest) -> HttpResponse:
    # Each flow a round can follow has its own chart, of only its own path (``?flow=``).
    flows = engine.application_flows()
    name = request.GET.get("flow", "application")
    if name not in flows:
        name = "application"
    return render(
        request,
        "applications/flow_chart.html",
        {
            "svg": flow_chart_svg(name),
            # Strings, not the class: a template would call a class.
            "flow_title": flows[name].title,
            "flow_description": flows[name].description,
            "flow_name": name,
            "flows": [(key, flow.title) for key, flow in flows.items()],
            "report_svg": flow_chart_svg("usage_report"),
        },
    )
