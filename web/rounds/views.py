"""Creating and editing a round in the screens (issue 17): the round's own fields and its
focus areas, conditions of eligibility and assessment criteria (formsets).

Thin: who may is ``cases.permissions.require_may_edit_rounds``; the write, its validation
and what is fixed once applications are submitted are ``cases.services.rounds``'.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases import access, permissions, roles
from cases.models import GrantRound, Municipality
from cases.services import rounds as services
from web.rounds.forms import FORMSETS, RoundForm


def _editable_municipalities(user: Any) -> QuerySet[Municipality]:
    ids = [m for m in roles.profile(user).municipality_ids if permissions.may_edit_rounds(user, m)]
    return Municipality.objects.filter(pk__in=ids).order_by("name")


def _edit(request: HttpRequest, grant_round: GrantRound | None) -> HttpResponse:
    municipalities = _editable_municipalities(request.user)
    if grant_round is not None:
        permissions.require_may_edit_rounds(request.user, grant_round.municipality_id)
    elif not municipalities:
        raise PermissionDenied(
            _("Only the municipality's case officers and managers create and edit rounds.")
        )
    locked = services.has_submissions(grant_round)
    instance = grant_round or GrantRound()
    data = request.POST if request.method == "POST" else None
    form = RoundForm(data, instance=instance, municipalities=municipalities, locked=locked)
    formsets = {
        name: formset(data, instance=instance, prefix=name, locked=locked)
        for name, formset in FORMSETS.items()
    }
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and all(f.is_valid() for f in formsets.values()):
            municipality = (
                grant_round.municipality if grant_round else form.cleaned_data["municipality"]
            )
            try:
                saved = services.round_save(
                    acting_user=request.user,
                    municipality=municipality,
                    grant_round=grant_round,
                    fields=form.round_fields(),
                    children={name: f.rows() for name, f in formsets.items() if not f.locked},
                )
            except ValidationError as error:
                _show(form, formsets, error)
            else:
                messages.success(
                    request,
                    _("The round »%(name)s« has been saved.") % {"name": saved.name},
                )
                return redirect("inbox:round_inbox", pk=saved.pk)
    return render(
        request,
        "rounds/round_form.html",
        {
            "form": form,
            "formsets": formsets,
            "round": grant_round,
            "locked": locked,
            "locked_reason": services.basis_locked_reason() if locked else "",
        },
        status=status,
    )


def _show(form: RoundForm, formsets: dict[str, Any], error: ValidationError) -> None:
    """The service's refusal beside the field (or above the formset) it concerns."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        if field in formsets:
            formsets[field]._non_form_errors = formsets[field].error_class(errors)
        elif field in form.fields:
            form.add_error(field, errors)
        else:
            form.add_error(None, errors)


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, pk)
    return _edit(request, grant_round)
