"""The municipality's complaint guidance, edited in the screens (issue 17): its general
text and one per kind of letter that decides against the association (``GUIDED_KINDS``).

A blank text for a kind removes the municipality's own, so the letter falls back to the
general text (``Municipality.complaint_text``); a blank general text falls back to the
default guidance. simple-history keeps every version, with who saved it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cases import permissions
from cases.models import ComplaintGuidance, Municipality
from cases.models.documents import GUIDED_KINDS


def complaint_guidance_of(municipality: Municipality) -> dict[str, str]:
    """The municipality's own texts: "" for the general one, else by kind ("" = none)."""
    own = {g.kind: g.text for g in ComplaintGuidance.objects.filter(municipality=municipality)}
    return {
        "": municipality.complaint_guidance,
        **{k.value: own.get(k.value, "") for k in GUIDED_KINDS},
    }


@transaction.atomic
def complaint_guidance_save(
    *, municipality: Municipality, acting_user: Any, general: str, per_kind: dict[str, str]
) -> None:
    permissions.require_may_edit_rounds(acting_user, municipality.pk)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if municipality.complaint_guidance != general:
        municipality.complaint_guidance = general
        municipality.save(update_fields=["complaint_guidance"])
    existing = {g.kind: g for g in ComplaintGuidance.objects.filter(municipality=municipality)}
    for kind in GUIDED_KINDS:
        text = per_kind.get(kind.value, "").strip()
        row = existing.get(kind.value)
        if not text:
            if row is not None:
                row.delete()
        elif row is None:
            ComplaintGuidance.objects.create(municipality=municipality, kind=kind.value, text=text)
        elif row.text != text:
            row.text = text
            row.save(update_fields=["text"])
