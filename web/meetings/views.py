"""Meetings on screen: the case officer prepares them; every staff role reads agenda and minutes.

Thin views: fetch through an access helper (404 outside the user's municipality),
check the case officer for writes (403), call one service, render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cases import access, roles
from cases.documents import meetings as meeting_documents
from cases.models import Application, Body, GrantRound, Meeting, Role
from cases.services import meeting_prep
from cases.services.meeting_inputs import MeetingInput
from cases.services.meetings import agenda_add, agenda_add_all_ready, meeting_create
from web.forms import DkfdsMixin

# --- forms ---------------------------------------------------------------------------------


class MeetingForm(DkfdsMixin, MeetingInput):
    """The meeting input, in the design system's dress."""


class AgendaAddForm(forms.Form):
    """Applications to add; any of the round's, so that a wrong state gets the service's words."""

    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        label=gettext_lazy("Applications ready for this meeting"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={"required": gettext_lazy("Choose at least one application.")},
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = Application.objects.filter(  # type: ignore[attr-defined]
            round_id=meeting.round_id
        ).order_by("submitted_at", "case_number")


# --- helpers -------------------------------------------------------------------------------


def _is_case_officer(user: Any, grant_round: GrantRound) -> bool:
    return roles.profile(user).has_role(grant_round.municipality_id, Role.CASE_OFFICER)


def _links(user: Any, meeting: Meeting) -> list[tuple[str, str]]:
    """Links to the members' and chairs' screens for this meeting, for whom they concern."""
    who = roles.profile(user)
    municipality_id = meeting.round.municipality_id
    wanted: list[tuple[str, str]] = []
    if meeting.body == Body.COUNCIL:
        if who.has_role(municipality_id, Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR):
            wanted.append(("council:meeting_assess", _("Record my assessments")))
        if who.has_role(municipality_id, Role.COUNCIL_CHAIR):
            wanted.append(("council:meeting_assessments", _("Assessments side by side")))
            wanted.append(("bulk:meeting_bulk", _("Record the council's recommendations")))
    elif who.has_role(municipality_id, Role.COMMITTEE_CHAIR):
        wanted.append(("bulk:meeting_bulk", _("Record the committee's decisions")))
    # Issue 20: the allocation assistant, for the body's chair (the case officer may look).
    chair = Role.COUNCIL_CHAIR if meeting.body == Body.COUNCIL else Role.COMMITTEE_CHAIR
    if who.has_role(municipality_id, chair, Role.CASE_OFFICER):
        wanted.append(("allocation:meeting_allocation", _("Allocation proposal")))
    return [(reverse(name, args=[meeting.pk]), label) for name, label in wanted]


def _detail_context(
    request: HttpRequest, meeting: Meeting, add_form: AgendaAddForm | None = None
) -> dict[str, Any]:
    is_officer = _is_case_officer(request.user, meeting.round)
    items = (
        meeting.agenda_items.select_related("application__association")
        .order_by("position", "id")
        .all()
    )
    return {
        "meeting": meeting,
        "grant_round": meeting.round,
        "body_name": meeting_prep.body_name(meeting.round.municipality, meeting.body),
        "present": meeting.members_present.order_by("first_name", "last_name", "username"),
        "items": items,
        "is_case_officer": is_officer,
        "ready": list(meeting_prep.ready_applications(meeting)) if is_officer else [],
        "add_form": add_form,
        "links": _links(request.user, meeting),
    }


def _added(n: int) -> str:
    return ngettext(
        "%(n)s application was added to the agenda.",
        "%(n)s applications were added to the agenda.",
        n,
    ) % {"n": n}


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- screens -------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest, round_pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, round_pk)
    municipality = grant_round.municipality
    meetings = [
        (m, meeting_prep.body_name(municipality, m.body))
        for m in meeting_prep.meetings_of_round(grant_round)
    ]
    return render(
        request,
        "meetings/list.html",
        {
            "grant_round": grant_round,
            "meetings": meetings,
            "is_case_officer": _is_case_officer(request.user, grant_round),
            "bodies": [
                (Body.COUNCIL.value, municipality.council_name),
                (Body.COMMITTEE.value, municipality.committee_name),
            ],
        },
    )


@login_required
def meeting_new(request: HttpRequest, round_pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, round_pk)
    access.require_case_officer(request.user, grant_round)
    # "New council meeting" / "New committee meeting" fix the body, so only its members are offered.
    body = request.GET.get("body")
    body = body if body in Body.values else None
    form = MeetingForm(request.POST or None, municipality=grant_round.municipality, body=body)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meeting = meeting_create(
                    grant_round=grant_round,
                    body=body or form.cleaned_data["body"],
                    date=form.cleaned_data["date"],
                    members_present=form.cleaned_data["members_present"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The meeting has been created."))
                return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "grant_round": grant_round,
            "new": True,
            "body_name": meeting_prep.body_name(grant_round.municipality, body) if body else "",
        },
        status=status,
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    access.require_case_officer(request.user, meeting.round)
    form = MeetingForm(
        request.POST or None,
        initial={"date": meeting.date, "members_present": list(meeting.members_present.all())},
        municipality=meeting.round.municipality,
        body=meeting.body,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meeting_prep.meeting_update(
                    meeting=meeting,
                    date=form.cleaned_data["date"],
                    members_present=form.cleaned_data["members_present"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The meeting has been saved."))
                return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "grant_round": meeting.round,
            "meeting": meeting,
            "body_name": meeting_prep.body_name(meeting.round.municipality, meeting.body),
        },
        status=status,
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    return render(request, "meetings/detail.html", _detail_context(request, meeting))


@login_required
@require_POST
def meeting_agenda_add_ready(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    access.require_case_officer(request.user, meeting.round)
    try:
        added = agenda_add_all_ready(meeting=meeting, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if added:
            messages.success(request, _added(added))
        else:
            messages.info(request, _("No more applications are ready for this meeting."))
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    access.require_case_officer(request.user, meeting.round)
    form = AgendaAddForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            added = agenda_add(
                meeting=meeting,
                applications=form.cleaned_data["applications"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error("applications", error)
        else:
            messages.success(request, _added(added))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "meetings/detail.html",
        _detail_context(request, meeting, add_form=form),
        status=400,
    )


@login_required
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    context = meeting_documents.agenda_context(meeting)
    return render(request, "meetings/agenda.html", context)


@login_required
def meeting_agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    context = meeting_documents.agenda_context(meeting)
    pdf = meeting_documents.render_pdf(meeting_documents.AGENDA_TEMPLATE, context)
    return _pdf_response(pdf, meeting_documents.pdf_filename("agenda", meeting))


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    context = meeting_documents.minutes_context(meeting)
    return render(request, "meetings/minutes.html", context)


@login_required
def meeting_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_prep.get_meeting_for_staff(request.user, pk)
    context = meeting_documents.minutes_context(meeting)
    pdf = meeting_documents.render_pdf(meeting_documents.MINUTES_TEMPLATE, context)
    return _pdf_response(pdf, meeting_documents.pdf_filename("minutes", meeting))
