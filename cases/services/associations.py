"""Associations registered from the CVR register, and their details kept up to date.

Contract (issue 18): ``create_from_cvr(company, ...)`` makes the association from what the
register says; the person who signs in or a case officer completes the contact details.
The name and address come from the register when it knows the CVR number
(``cvr_fetched_at`` says when); when it does not, or cannot be asked, they are typed in
and the association's representatives may correct them. Every change is a history row.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Association
from cases.permissions import associations as rules
from cases.registers import cvr as register
from cases.registers.cvr import CvrCompany

#: What the register gives: the association's name and address.
REGISTER_FIELDS = ("name", "address", "postal_code", "city")
#: What the association itself keeps up to date.
CONTACT_FIELDS = ("contact_person", "email", "phone", "language")


class AssociationExists(Exception):
    """The CVR number belongs to an association already registered."""

    def __init__(self, association: Association) -> None:
        self.association = association
        super().__init__(
            _("%(name)s is already registered with CVR number %(cvr)s.")
            % {"name": association.name, "cvr": association.cvr}
        )


def _stamp(obj: Any, user: Any) -> Any:
    obj._history_user = user
    return obj


@transaction.atomic
def create_from_cvr(
    company: CvrCompany, *, contact_person: str = "", email: str = "", phone: str = ""
) -> Association:
    """The association with this CVR number, created from the register if it is new."""
    association, _created = Association.objects.get_or_create(
        cvr=company.cvr,
        defaults={
            "name": company.name,
            "address": company.address,
            "postal_code": company.postal_code,
            "city": company.city,
            "contact_person": contact_person,
            "email": email,
            "phone": phone,
            "cvr_fetched_at": timezone.now(),
        },
    )
    return association


def _as_in_register(cvr: str, data: dict[str, Any]) -> bool:
    """Whether the typed name and address are what the register says (asked again, not trusted
    from the page): then they count as fetched, and the representatives cannot overwrite them."""
    try:
        company = register.lookup(cvr)
    except register.CvrError:
        return False
    return all(data.get(field) == getattr(company, field) for field in REGISTER_FIELDS)


def _registered(cvr: str) -> Association | None:
    return Association.objects.filter(cvr=cvr).first()


def association_register(*, acting_user: Any, data: dict[str, Any]) -> Association:
    """A case officer registers an association that is not known yet (e.g. with a paper
    application): from the register's data, or typed in when the register does not know it."""
    rules.require_registrar(acting_user)
    fields = {k: data[k] for k in ("cvr", *REGISTER_FIELDS, *CONTACT_FIELDS) if k in data}
    with transaction.atomic():
        existing = _registered(fields.get("cvr", ""))
        if existing is not None:
            raise AssociationExists(existing)
        association = Association(**fields)
        if _as_in_register(association.cvr, fields):
            association.cvr_fetched_at = timezone.now()
        association.full_clean(validate_unique=False)  # said above, in words
        try:
            with transaction.atomic():
                _stamp(association, acting_user).save()
        except IntegrityError:  # registered by someone else this very moment
            raise AssociationExists(Association.objects.get(cvr=association.cvr)) from None
    return association


def refresh_from_cvr(association: Association, *, acting_user: Any = None) -> list[str]:
    """Fetch the name and address again from the register; the fields that changed.

    Raises ``CvrNotFound``/``CvrUnavailable`` (their message is for the screen) and leaves
    the association as it was. ``acting_user`` None is the system itself (e.g. at sign-in).
    """
    if acting_user is not None and not rules.may_refresh(acting_user, association):
        raise PermissionDenied(_("You may not change this association's details."))
    company = register.lookup(association.cvr)
    # An address the register does not give is kept rather than emptied.
    fresh = {f: getattr(company, f) for f in REGISTER_FIELDS if getattr(company, f)}
    with transaction.atomic():
        locked = Association.objects.select_for_update().get(pk=association.pk)
        changed = [f for f, value in fresh.items() if getattr(locked, f) != value]
        for field in changed:
            setattr(locked, field, fresh[field])
        locked.cvr_fetched_at = timezone.now()
        _stamp(locked, acting_user).save(update_fields=[*changed, "cvr_fetched_at"])
    for field in [*changed, "cvr_fetched_at"]:
        setattr(association, field, getattr(locked, field))
    return changed


def editable_fields(association: Association) -> tuple[str, ...]:
    """The contact details always; the name and address only when they were typed in."""
    if association.cvr_fetched_at is None:
        return (*REGISTER_FIELDS, *CONTACT_FIELDS)
    return CONTACT_FIELDS


def association_update_details(
    *, association: Association, acting_user: Any, data: dict[str, Any]
) -> list[str]:
    """The representatives complete or correct the details; the fields that changed."""
    if not rules.may_edit(acting_user, association):
        raise PermissionDenied(_("Only the association's representatives can change its details."))
    allowed = editable_fields(association)
    stored = Association.objects.filter(pk=association.pk).values(*allowed).get()
    changed = [k for k in allowed if k in data and stored[k] != data[k]]
    for key in changed:
        setattr(association, key, data[key])
    association.full_clean()
    if changed:
        _stamp(association, acting_user).save(update_fields=changed)
    return changed
