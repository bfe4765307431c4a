"""Associations registered from the CVR register.

Contract (issue 18): ``create_from_cvr(company, ...)`` makes the association from what the
register says; the person who signs in or a case officer completes the contact details.
"""

from __future__ import annotations

from django.db import transaction

from cases.models import Association
from cases.registers.cvr import CvrCompany


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
        },
    )
    return association
