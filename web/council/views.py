"""The council's screens: each member's assessments, conflicts of interest, the chair's overview.

Thin like the other views: an access helper (404 outside the municipality, 403 without
the role), one service from ``meeting_services`` (which enforces the rules again),
render. Every form also works without JavaScript; htmx only swaps one item in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases import access, limits, permissions, roles
from cases.models import (
    Application,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    Meeting,
    RecommendationOutcome,
    Role,
    RoundCriterion,
)
from cases.parsing import parse_id
from cases.permissions import is_present
from cases.roles import profile
from cases.selectors.council import (
    COUNCIL_ROLES,
    OVERVIEW_ROLES,
    SheetItem,
    agenda_application,
    assessment_sheet,
    assessments_overview,
    get_council_meeting_for,
)
from cases.selectors.criteria import assessed_criteria
from cases.services import meetings as meeting_services
from cases.services.meeting_prep import display
from web.applications.forms import AmountField
from web.council.criteria import add_criterion_fields, criterion_initial, criterion_values
from web.forms import DkfdsMixin

# --- forms ---------------------------------------------------------------------------------
# Few rules live here: the services validate the input and name the field that is wrong,
# so the page and the service cannot disagree. The forms parse and carry the errors.


class AssessmentForm(DkfdsMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Your assessment"),
        choices=RecommendationOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    amount = AmountField(
        label=gettext_lazy("Amount supported (DKK)"),
        help_text=gettext_lazy("Only when you support the application in part."),
        required=False,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, criteria: Sequence[RoundCriterion] = (), scoring: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        add_criterion_fields(self, criteria, scoring)  # a field per criterion, if assessed
        self.per_criterion = [self[name] for name in self.fields if name.startswith("criterion_")]
        self.overall = [self[name] for name in ("outcome", "amount", "comment")]


class DeclareConflictForm(DkfdsMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Your tie to the association"),
        help_text=gettext_lazy(
            "For example: you are a volunteer there, or a close relative sits on its board."
        ),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        # The service says the same; the form says it first, so the field is marked required.
        error_messages={"required": gettext_lazy("Describe your tie to the association.")},
    )


class RulingForm(DkfdsMixin, forms.Form):
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(),
        label=gettext_lazy("The meeting at which the body ruled"),
        help_text=gettext_lazy(
            "The body rules without the member concerned; the members present at that "
            "meeting, less the member concerned, are recorded as taking part."
        ),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a meeting from the list.")},
    )
    conflicted = forms.ChoiceField(
        label=gettext_lazy("The body's ruling"),
        choices=[
            ("yes", gettext_lazy("Conflicted: the member leaves the item")),
            ("no", gettext_lazy("Not conflicted: the member takes part")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether the member is conflicted.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reasons for the ruling"),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reasons for the ruling.")},
    )

    def __init__(
        self,
        *args: Any,
        declaration: ConflictDeclaration,
        fixed_meeting: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        body = "" if fixed_meeting else permissions.ruled_by_body(declaration)
        if not body:
            # A manager rules alone; a form on a meeting's page carries the meeting itself.
            del self.fields["meeting"]
        else:
            self.fields["meeting"].queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
                round_id=declaration.application.round_id,
                body=body,
                agenda_items__application=declaration.application,
            ).order_by("-date", "-pk")


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError next to the field it names, otherwise at the top."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _data(request: HttpRequest) -> Any:
    # Bound on every POST, even an empty one, so a missing field is reported.
    return request.POST if request.method == "POST" else None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- a member's assessment sheet ----------------------------------------------------------


def _sheet_forms(
    item: SheetItem, bound: dict[str, Any], criteria: list[RoundCriterion], scoring: str
) -> None:
    pk = item.application.pk
    initial = {}
    if item.assessment is not None:
        initial = {
            "outcome": item.assessment.outcome,
            "amount": item.assessment.amount if item.assessment.outcome == "partial" else None,
            "comment": item.assessment.comment,
            **(criterion_initial(item.assessment) if criteria else {}),
        }
    item.form = bound.get("form") or AssessmentForm(
        initial=initial, auto_id=f"a{pk}-%s", criteria=criteria, scoring=scoring
    )
    item.declare_form = bound.get("declare_form") or DeclareConflictForm(auto_id=f"d{pk}-%s")


def _render_sheet(
    request: HttpRequest,
    meeting: Meeting,
    *,
    bound: dict[int, dict[str, Any]] | None = None,
    status: int = 200,
    saved: str = "",
) -> HttpResponse:
    """The whole sheet, or (for htmx) only the item that was posted."""
    bound = bound or {}
    present = is_present(meeting, request.user)
    only = next(iter(bound)) if _is_htmx(request) and bound else None
    items = assessment_sheet(meeting, request.user, application_pk=only)
    if present:
        criteria = assessed_criteria(meeting.round)
        for item in items:
            _sheet_forms(
                item, bound.get(item.application.pk, {}), criteria, meeting.round.criteria_scoring
            )
    context = {"meeting": meeting, "present": present, "saved": saved}
    if only is not None and items:
        return render(
            request, "council/_sheet_item.html", {**context, "item": items[0]}, status=status
        )
    who = roles.profile(request.user)
    context |= {
        "items": items,
        "municipality": meeting.round.municipality,
        "overview_url": reverse("council:meeting_assessments", args=[meeting.pk])
        if who.has_role(meeting.round.municipality_id, Role.COUNCIL_CHAIR)
        else None,
        "meeting_url": reverse("meetings:meeting_detail", args=[meeting.pk]),
    }
    return render(request, "council/assess.html", context, status=status)


@login_required
def meeting_assess(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_council_meeting_for(request.user, pk, roles=COUNCIL_ROLES)
    return _render_sheet(request, meeting)


@login_required
@require_POST
def meeting_assess_item(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    meeting = get_council_meeting_for(request.user, pk, roles=COUNCIL_ROLES)
    application = agenda_application(meeting, application_pk)
    # Refused before the input is looked at: a member who takes no part gets no feedback on it.
    permissions.require_may_take_part(request.user, meeting, application)
    criteria = assessed_criteria(meeting.round)
    form = AssessmentForm(
        request.POST,
        auto_id=f"a{application.pk}-%s",
        criteria=criteria,
        scoring=meeting.round.criteria_scoring,
    )
    if form.is_valid():
        try:
            meeting_services.assessment_record(
                meeting=meeting,
                application=application,
                member=request.user,
                outcome=form.cleaned_data["outcome"],
                amount=form.cleaned_data["amount"],
                comment=form.cleaned_data["comment"],
                criteria=criterion_values(form, criteria),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            saved = _("Your assessment of %(case)s has been saved.") % {
                "case": application.case_number
            }
            if _is_htmx(request):
                return _render_sheet(request, meeting, bound={application.pk: {}}, saved=saved)
            messages.success(request, saved)
            return redirect(f"{reverse('council:meeting_assess', args=[pk])}#item-{application.pk}")
    return _render_sheet(request, meeting, bound={application.pk: {"form": form}}, status=400)


# --- conflicts of interest -----------------------------------------------------------------


def declare_conflict_panel(
    user: Any, application: Application, form: DeclareConflictForm | None = None
) -> dict[str, Any] | None:
    """Context for ``cases/council/_declare_conflict.html`` (one query; None for those who
    do not act on cases): the user's own declaration or form, and every declaration on the
    case with a link for whoever may record its ruling."""
    who = roles.profile(user)
    if not who.has_role(application.municipality_id, *permissions.ACTING_ROLES, Role.MANAGER):
        return None
    declarations = list(
        ConflictDeclaration.objects.filter(application=application)
        .select_related("member", "ruled_by", "ruling_meeting")
        .order_by("created_at", "id")
    )
    for declaration in declarations:
        declaration.application = application
        declaration.may_rule = (
            declaration.ruling == ConflictRuling.PENDING
            and declaration.source == ConflictSource.DECLARED
            and not permissions.ruling_refusal(user, declaration)
        )
    return {
        "application": application,
        "declaration": next((d for d in declarations if d.member_id == user.pk), None),
        "declarations": declarations,
        "acts": who.has_role(application.municipality_id, *permissions.ACTING_ROLES),
        "board_tie": application.association_id in (who.board_of | who.represents),
        "form": form or DeclareConflictForm(auto_id=f"d{application.pk}-%s"),
    }


def _meeting_from(
    request: HttpRequest, application: Application, roles: tuple[str, ...]
) -> Meeting | None:
    """The council meeting a form was posted from, when the user may see its page."""
    meeting_id = parse_id(request.POST.get("meeting") or request.GET.get("meeting"))
    if meeting_id is None or not profile(request.user).has_role(
        application.municipality_id, *roles
    ):
        return None
    return (
        Meeting.objects.select_related("round__municipality")
        .filter(pk=meeting_id, body=Body.COUNCIL, agenda_items__application=application)
        .first()
    )


@login_required
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    if not roles.profile(request.user).has_role(
        application.municipality_id, *permissions.ACTING_ROLES
    ):
        raise PermissionDenied(
            _("Only those who act on the case (case officers, council and committee) declare ties.")
        )
    meeting = _meeting_from(request, application, COUNCIL_ROLES)
    form = DeclareConflictForm(_data(request), auto_id=f"d{application.pk}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.conflict_declare(
                application=application, member=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            done = _(
                "You have declared a tie to %(case)s. You take no part in the case unless "
                "it is ruled that you are not disqualified."
            ) % {"case": application.case_number}
            if meeting is not None and _is_htmx(request):
                return _render_sheet(request, meeting, bound={application.pk: {}}, saved=done)
            messages.success(request, done)
            if meeting is not None:
                return redirect(
                    f"{reverse('council:meeting_assess', args=[meeting.pk])}#item-{application.pk}"
                )
            return redirect("applications:application_detail", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    if meeting is not None and request.method == "POST" and is_present(meeting, request.user):
        return _render_sheet(
            request, meeting, bound={application.pk: {"declare_form": form}}, status=status
        )
    return render(
        request,
        "council/declare_conflict.html",
        {"panel": declare_conflict_panel(request.user, application, form)},
        status=status,
    )


@login_required
def conflict_rule(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = (
        ConflictDeclaration.objects.select_related(
            "application__association", "application__municipality", "member"
        )
        .filter(pk=pk, application__in=access.visible_applications(request.user))
        .first()
    )
    if declaration is None:
        raise Http404(_("No such declaration."))
    # The service asks the same; asked first so that someone who may not rule gets a 403,
    # not form errors.
    permissions.require_may_rule(request.user, declaration)
    application = declaration.application
    meeting = _meeting_from(request, application, COUNCIL_ROLES)
    form = RulingForm(
        _data(request),
        declaration=declaration,
        fixed_meeting=meeting is not None,
        auto_id=f"r{declaration.pk}-%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.conflict_rule(
                declaration=declaration,
                acting_user=request.user,
                conflicted=form.cleaned_data["conflicted"] == "yes",
                reason=form.cleaned_data["reason"],
                meeting=meeting or form.cleaned_data.get("meeting"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The ruling on %(member)s's tie to %(case)s has been recorded.")
                % {"member": display(declaration.member), "case": application.case_number},
            )
            if meeting is not None:
                return redirect("council:meeting_assessments", pk=meeting.pk)
            return redirect("applications:application_detail", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    if meeting is not None and request.method == "POST":
        return _render_overview(request, meeting, bound={declaration.pk: form}, status=status)
    return render(
        request,
        "council/conflict_rule.html",
        {"declaration": declaration, "application": application, "form": form},
        status=status,
    )


# --- the chair's overview ------------------------------------------------------------------


def _render_overview(
    request: HttpRequest,
    meeting: Meeting,
    *,
    bound: dict[int, RulingForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    overview = assessments_overview(meeting)
    who = roles.profile(request.user)
    is_chair = who.has_role(meeting.round.municipality_id, Role.COUNCIL_CHAIR)
    is_member = who.has_role(meeting.round.municipality_id, *COUNCIL_ROLES)
    pending = {
        d.pk: d.member_id
        for d in overview.declarations
        if d.source == ConflictSource.DECLARED and d.ruling == ConflictRuling.PENDING
    }
    # Read in bulk for the rule below: the bodies of the declaring members (one query),
    # and each item's conflicted members (already in the overview).
    bodies = (
        permissions.bodies_of(meeting.round.municipality_id, set(pending.values()))
        if is_member and pending
        else {}
    )
    chairs = (
        permissions.chairs_of(meeting.round.municipality_id, Body.COUNCIL)
        if is_member and pending
        else set()
    )
    conflicted = {row.application.pk: row.conflicted_ids for row in overview.rows}
    rulings = []
    for declaration in overview.declarations:
        form = None
        # A form for each declared tie still pending that this chair may rule on.
        if (
            declaration.pk in pending
            and is_member
            and permissions.ruled_by_body(declaration, bodies[declaration.member_id])
            == Body.COUNCIL
            and not permissions.ruling_refusal(
                request.user,
                declaration,
                member_bodies=bodies[declaration.member_id],
                conflicted_ids=conflicted[declaration.application_id],
                chair_ids=chairs,
            )
        ):
            form = bound.get(declaration.pk) or RulingForm(
                declaration=declaration, fixed_meeting=True, auto_id=f"r{declaration.pk}-%s"
            )
        rulings.append({"declaration": declaration, "form": form})
    return render(
        request,
        "council/assessments.html",
        {
            "meeting": meeting,
            "municipality": meeting.round.municipality,
            "overview": overview,
            "rulings": rulings,
            "is_chair": is_chair,
            "bulk_url": reverse("bulk:meeting_bulk", args=[meeting.pk]) if is_chair else None,
            "meeting_url": reverse("meetings:meeting_detail", args=[meeting.pk]),
        },
        status=status,
    )


@login_required
def meeting_assessments(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_council_meeting_for(
        request.user,
        pk,
        roles=OVERVIEW_ROLES,
        message=_(
            "Only the council's chair, the case officers and the auditor see the "
            "assessments side by side."
        ),
    )
    return _render_overview(request, meeting)
