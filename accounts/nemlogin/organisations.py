"""The association a NemLog-in sign-in acts for: found by the assertion's CVR number, made
from the CVR register when it is new, or typed in when the register cannot help."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cases.models import Association, AssociationMember
from cases.registers import cvr as cvr_register
from cases.registers.cvr import CvrCompany, CvrError
from cases.services.associations import create_from_cvr

from .attributes import NemLoginPerson


def _tie(user: Any, association: Association) -> None:
    """The person represents the association: MitID Erhverv has just vouched for it."""
    tie, created = AssociationMember.objects.get_or_create(
        user=user, association=association, defaults={"can_represent": True}
    )
    if not created and not tie.can_represent:
        tie.can_represent = True
        tie.save(update_fields=["can_represent"])


def link(user: Any, person: NemLoginPerson) -> Association:
    """The association with the assertion's CVR, tied to the user. Raises ``CvrNotFound`` or
    ``CvrUnavailable`` (``CvrError``) when it is new and the register cannot describe it."""
    return link_cvr(user, person.cvr, contact_person=person.name, email=person.email)


@transaction.atomic
def link_cvr(user: Any, cvr: str, *, contact_person: str, email: str) -> Association:
    association = Association.objects.filter(cvr=cvr).first()
    if association is None:
        company = cvr_register.lookup(cvr)
        association = create_from_cvr(company, contact_person=contact_person, email=email)
    _tie(user, association)
    return association


@transaction.atomic
def register_typed(
    user: Any,
    *,
    cvr: str,
    name: str,
    address: str,
    postal_code: str,
    city: str,
    contact_person: str,
    email: str,
    phone: str,
) -> Association:
    """The association as the person typed it (the CVR number stays the assertion's)."""
    company = CvrCompany(cvr=cvr, name=name, address=address, postal_code=postal_code, city=city)
    association = create_from_cvr(company, contact_person=contact_person, email=email, phone=phone)
    _tie(user, association)
    return association


def retry_lookup(user: Any, cvr: str, *, contact_person: str, email: str) -> Association | CvrError:
    """Ask the register again (it may have been down a moment ago)."""
    try:
        return link_cvr(user, cvr, contact_person=contact_person, email=email)
    except CvrError as error:
        return error


def lacks_contact(association: Association) -> bool:
    return not (association.email and association.phone and association.contact_person)
