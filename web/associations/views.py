"""An association registered by its CVR number, and its own details page (issue 18).

Registering is two steps on one address, both working without JavaScript: the case officer
types the CVR number (a GET form: looking up changes nothing), the register fills in the
name and address, the rest is typed; when the register does not know the number or cannot be
asked, the page says so and everything is typed in by hand.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.parsing import parse_id
from cases.permissions import associations as rules
from cases.registers import cvr as register
from cases.selectors.associations import association_changes
from cases.services import associations as services
from web.associations.forms import AssociationDetailsForm, CvrForm, RegisterAssociationForm


def _after_registering(request: HttpRequest, association_pk: int) -> str:
    """Back to the paper application the case officer came from, else the association."""
    grant_round = parse_id(request.GET.get("round"))
    if grant_round is not None:
        paper = reverse("inbox:paper_application_new", args=[grant_round])
        return f"{paper}?association={association_pk}"
    return reverse("associations:association_details", args=[association_pk])


def _looked_up(cvr: str) -> tuple[dict[str, Any], register.CvrCompany | None, str]:
    """The initial details for step 2, the company found, and what to say when none was."""
    initial: dict[str, Any] = {"cvr": cvr}
    try:
        company = register.lookup(cvr)
    except register.CvrError as error:
        return initial, None, str(error)
    for field in services.REGISTER_FIELDS:
        initial[field] = getattr(company, field)
    return initial, company, ""


@login_required
def association_new(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET, no ``cvr``): the number. Step 1½ (GET with ``cvr``): the lookup, then
    step 2 filled in. Step 2 (POST): the details saved."""
    rules.require_registrar(request.user)
    round_pk = parse_id(request.GET.get("round"))
    context: dict[str, Any] = {"round_pk": round_pk}
    if request.method == "POST":
        form = RegisterAssociationForm(request.POST)
        if form.is_valid():
            try:
                association = services.association_register(
                    acting_user=request.user, data=form.cleaned_data
                )
            except services.AssociationExists as exists:  # registered in the meantime
                form.add_error("cvr", str(exists))
                form.existing = exists.association
            else:
                messages.success(
                    request, _("%(name)s has been registered.") % {"name": association.name}
                )
                return redirect(_after_registering(request, association.pk))
        context.update(form=form, existing=form.existing, step=2)
        return render(request, "associations/association_new.html", context, status=400)
    if "cvr" not in request.GET:
        context.update(cvr_form=CvrForm(), step=1)
        return render(request, "associations/association_new.html", context)
    cvr_form = CvrForm(request.GET)
    if not cvr_form.is_valid():
        context.update(cvr_form=cvr_form, existing=cvr_form.existing, step=1)
        return render(request, "associations/association_new.html", context, status=400)
    initial, company, problem = _looked_up(cvr_form.cleaned_data["cvr"])
    context.update(
        form=RegisterAssociationForm(initial=initial), company=company, problem=problem, step=2
    )
    return render(request, "associations/association_new.html", context)


def _safe_next(request: HttpRequest) -> str | None:
    """Where to go once the details are complete (e.g. the first sign-in's next page)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
def association_details(request: HttpRequest, pk: int) -> HttpResponse:
    """The association's details: the register's data, and the contact details its
    representatives complete and keep up to date (the case officer and auditor read them)."""
    association = rules.get_association_for(request.user, pk, write=request.method == "POST")
    may_edit = rules.may_edit(request.user, association)
    form = AssociationDetailsForm(request.POST or None, instance=association)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changed = services.association_update_details(
                association=association, acting_user=request.user, data=form.cleaned_data
            )
            if changed:
                messages.success(request, _("The association's details have been saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(_safe_next(request) or request.path)
        status = 400
    context = {
        "association": association,
        "form": form if may_edit else None,
        "may_refresh": rules.may_refresh(request.user, association),
        "changes": association_changes(association),
        "next": _safe_next(request) or "",
    }
    return render(request, "associations/association_details.html", context, status=status)


@login_required
@require_POST
def association_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """»Hent navn og adresse fra CVR igen«: the register's data replaces the stored name and
    address; when the register cannot answer, nothing changes and the page says why."""
    association = rules.get_association_for(request.user, pk)
    if not rules.may_refresh(request.user, association):
        raise PermissionDenied(_("You may not change this association's details."))
    try:
        changed = services.refresh_from_cvr(association, acting_user=request.user)
    except register.CvrError as error:
        messages.error(request, str(error))
    else:
        if changed:
            messages.success(
                request, _("The name and address have been fetched from the CVR register.")
            )
        else:
            messages.info(
                request, _("The CVR register has the same name and address as Puljeflow.")
            )
    target = reverse("associations:association_details", args=[pk])
    following = _safe_next(request)
    return redirect(f"{target}?{urlencode({'next': following})}" if following else target)
