"""An association's entry in a municipality's directory: published, changed and withdrawn by
the association's own representatives (issue 20, item 4; docs/directory.md).

Publishing and withdrawing bump the municipality's ``PublicationVersion`` in the same
transaction (cases/services/publication.py): every cached public page and file of the
municipality — the directory, the association's page, the register's links to it — is
rendered anew on the next request, in every process. Each write is a history row with the
acting user (simple-history): that is the audit of who published or withdrew, and when.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Association,
    DirectoryEntry,
    DirectoryFocusArea,
    Municipality,
    TargetGroup,
)
from cases.permissions import directory as rules
from cases.services.publication import publication_bump

#: The plain fields the association types (the lists are set apart).
TEXT_FIELDS = (
    "description",
    "whole_municipality",
    "area",
    "seeks_volunteers",
    "volunteers_text",
    "website",
    "contact_email",
    "contact_phone",
)


class NotListed(Exception):
    """Withdrawing an entry that is not published."""


def _stamp(obj: Any, user: Any) -> Any:
    obj._history_user = user
    return obj


def _set_focus_areas(entry: DirectoryEntry, names: list[str], user: Any) -> None:
    wanted = set(names)
    for existing in list(entry.focus_areas.all()):
        if existing.name in wanted:
            wanted.discard(existing.name)
        else:
            _stamp(existing, user).delete()
    for name in sorted(wanted):
        _stamp(DirectoryFocusArea(entry=entry, name=name), user).save()


@transaction.atomic
def directory_entry_publish(
    *,
    association: Association,
    municipality: Municipality,
    acting_user: Any,
    data: dict[str, Any],
) -> DirectoryEntry:
    """The association's entry in the municipality, with ``data``, published now.

    ``data`` holds ``TEXT_FIELDS``, ``target_groups`` (``TargetGroupCode`` values) and
    ``focus_areas`` (names). An entry already published keeps its ``published_at``; one
    published anew (first time, or after a withdrawal) gets the time of now.
    """
    rules.require_lister(acting_user, association)
    # Two first publications at once (two representatives, or a double click) would both
    # find no entry and both insert: the association's row, locked first, puts them in
    # turn, so the second finds the first's entry (PostgreSQL; SQLite writes one at a time).
    list(Association.objects.select_for_update().filter(pk=association.pk).values_list("pk"))
    entry = (
        DirectoryEntry.objects.select_for_update()
        .filter(association=association, municipality=municipality)
        .first()
    ) or DirectoryEntry(association=association, municipality=municipality)
    for name in TEXT_FIELDS:
        setattr(entry, name, data.get(name, getattr(entry, name)))
    if entry.whole_municipality:
        entry.area = ""
    if not entry.seeks_volunteers:
        entry.volunteers_text = ""
    if not entry.published:
        entry.published = True
        entry.published_at = timezone.now()
    entry.full_clean(exclude=["association", "municipality"])
    _stamp(entry, acting_user).save()
    entry.target_groups.set(TargetGroup.objects.filter(code__in=data.get("target_groups", [])))
    _set_focus_areas(entry, list(data.get("focus_areas", [])), acting_user)
    publication_bump(municipality_id=municipality.pk)
    return entry


@transaction.atomic
def directory_entry_withdraw(*, entry: DirectoryEntry, acting_user: Any) -> DirectoryEntry:
    """The entry off every public page and file at once; what it says is kept for the
    association to publish again."""
    rules.require_lister(acting_user, entry.association)
    entry = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.published:
        raise NotListed(_("You are not listed in the directory."))
    entry.published = False
    entry.withdrawn_at = timezone.now()
    _stamp(entry, acting_user).save(update_fields=["published", "withdrawn_at", "updated_at"])
    publication_bump(municipality_id=entry.municipality_id)
    return entry


@receiver(post_save, sender=Association, dispatch_uid="directory_on_association")
def _on_association(sender: Any, instance: Association, **kwargs: Any) -> None:
    """The directory shows the association's name: a change to it reaches the public pages
    of every municipality it is listed in."""
    if kwargs.get("raw"):
        return
    for municipality_id in (
        DirectoryEntry.objects.filter(association=instance, published=True)
        .values_list("municipality_id", flat=True)
        .distinct()
    ):
        publication_bump(municipality_id=municipality_id)
