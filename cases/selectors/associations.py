"""Reads about associations: what changed in their details, and when (issue 18)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cases.models import Association


@dataclass(frozen=True)
class AssociationChange:
    when: datetime.datetime
    what: list[str]  # the fields' names, in the reader's language


def association_changes(association: Association, *, limit: int = 10) -> list[AssociationChange]:
    """The newest changes to the association's details, from its history (one query)."""
    records = list(
        Association.history.filter(id=association.pk).order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    labels = {f.name: str(f.verbose_name) for f in Association._meta.concrete_fields}
    # Every field, also those no form edits (when the register was last asked).
    tracked = [name for name in labels if name != "id"]
    changes: list[AssociationChange] = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(changes) == limit:
            break
        if newer.history_type == "+":
            what = [_("registered")]
        elif older is None:  # older than the rows read
            break
        else:
            # Compared field by field: simple-history's diff_against skips non-editable fields.
            what = [labels[f] for f in tracked if getattr(newer, f) != getattr(older, f)]
        if what:
            changes.append(AssociationChange(when=newer.history_date, what=what))
    return changes
