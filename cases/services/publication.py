"""Keeping the public pages' caches honest: a version number per municipality.

The public pages (web/public) cache what they render under a key holding the
municipality's ``PublicationVersion.version``, read with the municipality itself in the
one query every public page makes anyway. Bumping the number makes every cached copy in
every process stale at once, which a per-process cache (LocMemCache under ``make run``'s
several processes) could not do by deleting keys.

It is bumped, in the writing transaction, by

- each decision's trail record (``decide``, ``decide_directly``, ``reject``, and any other
  transition that moves a case into or out of a state the register shows);
- a change to a round, its conditions, criteria or focus areas (the call pages);
- a change to the municipality (its name, ``publish_refusals``).

The receivers are connected in ``CasesConfig.ready`` (cases/apps.py); nothing here
imports the screens.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.models import (
    ApplicationStatus,
    FocusArea,
    GrantRound,
    Municipality,
    PublicationVersion,
    RoundCondition,
    RoundCriterion,
    StatusGroup,
)
from cases.trail.models import TransitionRecord

S = ApplicationStatus
# A transition into or out of one of these changes what the register can show.
REGISTER_STATES = frozenset({*StatusGroup.GRANTED, S.REFUSED, S.INELIGIBLE, S.IN_HEARING})


def publication_bump(*, municipality_id: int) -> None:
    """One more on the municipality's version: its public pages are rendered anew."""
    bumped = PublicationVersion.objects.filter(municipality_id=municipality_id).update(
        version=F("version") + 1
    )
    if bumped:
        return
    try:
        with transaction.atomic():
            PublicationVersion.objects.create(municipality_id=municipality_id, version=1)
    except IntegrityError:  # another process created it just now
        PublicationVersion.objects.filter(municipality_id=municipality_id).update(
            version=F("version") + 1
        )


def _changes_register(record: TransitionRecord) -> bool:
    if record.from_state == record.to_state:
        return False
    return record.from_state in REGISTER_STATES or record.to_state in REGISTER_STATES


@receiver(post_save, sender=TransitionRecord, dispatch_uid="publication_on_decision")
def _on_record(sender: Any, instance: TransitionRecord, created: bool, **kwargs: Any) -> None:
    if created and _changes_register(instance):
        publication_bump(municipality_id=instance.application.municipality_id)


@receiver(post_save, sender=Municipality, dispatch_uid="publication_on_municipality")
def _on_municipality(sender: Any, instance: Municipality, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        publication_bump(municipality_id=instance.pk)


def _on_round(sender: Any, instance: GrantRound, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        publication_bump(municipality_id=instance.municipality_id)


def _on_round_part(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    municipality_id = (
        GrantRound.objects.filter(pk=instance.round_id)
        .values_list("municipality_id", flat=True)
        .first()
    )
    if municipality_id is not None:
        publication_bump(municipality_id=municipality_id)


for _signal in (post_save, post_delete):
    _signal.connect(_on_round, sender=GrantRound, dispatch_uid=f"publication_round_{id(_signal)}")
    for _model in (FocusArea, RoundCondition, RoundCriterion):
        _signal.connect(
            _on_round_part,
            sender=_model,
            dispatch_uid=f"publication_{_model.__name__}_{id(_signal)}",
        )
