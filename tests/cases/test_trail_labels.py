"""The trail an auditor can read: every recorded field and every payload key has a Danish
label, ids read as names, amounts as money — walked over every model with history and
over every key a case's whole life writes.

When this fails after a merge, its message names the model and field (or the payload
key) that lacks a label: add it to ``cases/trail/labels.py`` and its Danish to the .po.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.utils import translation

from cases.models import Application, ApplicationStatus, Body, Meeting
from cases.services.meetings import conflict_declare, conflict_rule
from cases.trail.labels import PAYLOAD_KEYS, field_label, has_label, payload_label
from cases.trail.models import TransitionRecord
from cases.trail.timeline import recorded_fields, trail_events
from workflows.engine import perform

from ..conftest import NO_HEARING, advance, report_data

pytestmark = pytest.mark.django_db

S = ApplicationStatus
# Words that are the same in both languages.
SAME_IN_BOTH = {"Status", "E-mail"}


def history_models() -> list[type]:
    return [
        m
        for m in apps.get_models()
        if hasattr(m._meta, "simple_history_manager_attribute")
        and not m.__name__.startswith("Historical")
    ]


def _missing(label_da: str, label_en: str, name: str) -> str:
    if label_da.lower() == name.replace("_", " ").lower() and label_da not in SAME_IN_BOTH:
        return "no label (the attribute name shows)"
    if label_da == label_en and label_da not in SAME_IN_BOTH:
        return f"no Danish ({label_da!r} in both languages)"
    return ""


def test_every_recorded_field_of_every_model_with_history_has_a_danish_label() -> None:
    problems = []
    models = history_models()
    assert len(models) >= 20  # the walk found the models (a renamed attribute would hide them)
    for model in models:
        for name in recorded_fields(model):
            with translation.override("da"):
                label_da = field_label(model, name)
            with translation.override("en"):
                label_en = field_label(model, name)
            problem = "" if has_label(model, name) else "no label"
            problem = problem or _missing(label_da, label_en, name)
            if problem:
                problems.append(f"{model._meta.label}.{name}: {problem}")
    assert not problems, "Fields without a label in cases/trail/labels.py:\n" + "\n".join(problems)


def test_every_declared_payload_key_has_a_danish_label() -> None:
    problems = []
    for key in PAYLOAD_KEYS:
        with translation.override("da"):
            label_da = payload_label(key)
        with translation.override("en"):
            label_en = payload_label(key)
        problem = _missing(label_da, label_en, key)
        if problem:
            problems.append(f"{key}: {problem}")
    assert not problems, "Payload keys without Danish:\n" + "\n".join(problems)


def _whole_lives(world: SimpleNamespace, draft: Application) -> list[Application]:
    """A case through every step that records something, and one with a carry-over."""
    submitted = perform(draft, "submit", user=world.anna)
    asked = perform(submitted, "request_info", user=world.carl, question="Hvor mange?")
    answered = perform(asked, "provide_info", user=world.anna, answer="Tolv.")
    recommended = advance(answered, world, S.RECOMMENDED)
    declaration = conflict_declare(application=recommended, member=world.dorte, reason="Bror")
    council = Meeting.objects.get(round=recommended.round, body=Body.COUNCIL)
    conflict_rule(
        declaration=declaration,
        acting_user=world.erik,
        conflicted=True,
        reason="Nær familie",
        meeting=council,
    )
    back = perform(recommended, "send_back", user=world.frida, reason="Se igen")
    paid = advance(back, world, S.PAID)
    reported = perform(
        paid,
        "submit_report",
        user=world.anna,
        **report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}]),
    )
    approved = perform(
        reported, "approve_report", user=world.carl, settlement="repayment", **NO_HEARING
    )
    closed = perform(approved, "register_repayment", user=world.carl, reference="IND-1")

    from ..factories import ApplicationFactory

    other = ApplicationFactory(round=world.round, association=world.a)
    other.focus_areas.set([world.focus])
    other_paid = advance(other, world, S.PAID)
    other_reported = perform(
        other_paid,
        "submit_report",
        user=world.anna,
        **report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}]),
    )
    carried = perform(
        other_reported,
        "approve_report",
        user=world.carl,
        settlement="carry_over",
        carry_over_reason="Fortsætter",
    )
    return [closed, carried]


# An id standing alone or in a list: "7", "[5, 6]", "Municipality 1", "Meeting object (3)".
RAW_ID = re.compile(r"^\[?\d+(, \d+)*\]?$|object \(\d+\)|^[A-Za-z]+ \d+$")


def _reference_fields() -> set[str]:
    """Names of the fields that hold ids (foreign keys, many-to-many selections)."""
    names = set()
    for model in history_models():
        names |= {f.name for f in model._meta.concrete_fields if f.is_relation}
        names |= {f.name for f in model._meta.many_to_many}
    return names


def test_a_whole_life_reads_in_danish_with_names_for_ids(
    world: SimpleNamespace, draft: Application
) -> None:
    lives = _whole_lives(world, draft)
    written = {
        key
        for payload in TransitionRecord.objects.values_list("payload", flat=True)
        for key in payload
        if not key.startswith("_")
    }
    undeclared = sorted(written - set(PAYLOAD_KEYS))
    assert not undeclared, (
        "Payload keys written by the transitions but not declared in "
        f"cases/trail/labels.py PAYLOAD_KEYS: {undeclared}"
    )
    problems = []
    references = _reference_fields()
    id_keys = {k for k, spec in PAYLOAD_KEYS.items() if spec.kind in ("model", "user", "users")}
    with translation.override("da"):
        for application in lives:
            for event in trail_events(application):
                for change in event.changes:
                    for shown, stored in (
                        (change.before, change.before_value),
                        (change.after, change.after_value),
                    ):
                        if change.field in references and (
                            RAW_ID.search(shown) or shown == str(stored)
                        ):
                            problems.append(f"{event.title}: {change.label} = {shown!r}")
                    if change.label == change.field.replace("_", " "):
                        problems.append(f"{event.title}: field {change.field} has no label")
                for datum in event.data:
                    raw_id = datum.key in id_keys and RAW_ID.search(datum.display)
                    if datum.label == datum.key or raw_id:
                        problems.append(f"{event.title}: {datum.key} = {datum.display!r}")
    assert not problems, "\n".join(problems)


def test_ids_amounts_and_selections_read_as_people_read_them(
    world: SimpleNamespace, draft: Application
) -> None:
    from cases.models import FocusArea

    other = FocusArea.objects.create(round=draft.round, name="Ensomhed")
    draft.focus_areas.add(other)
    granted = advance(draft, world, S.GRANTED)
    with translation.override("da"):
        events = trail_events(granted)
    changes = {(c.field, c.after) for e in events for c in e.changes}
    data = {(d.key, d.display) for e in events for d in e.data}
    assert ("round", world.round.name) in changes
    assert ("municipality", world.roskilde.name) in changes
    assert ("granted_amount", "20.000,00 kr.") in changes
    assert ("declaration_correct", "Ja") in changes
    assert ("focus_areas", f"{other.name}, {world.focus.name}") in changes or (
        "focus_areas",
        ", ".join(sorted([other.name, world.focus.name])),
    ) in changes
    assert ("amount", "20.000,00 kr.") in data
    present = next(d for e in events for d in e.data if d.key == "present")
    assert "Erik" in present.display and "[" not in present.display
    meeting = next(d for e in events for d in e.data if d.key == "meeting")
    assert re.search(r"\d{2}\.\d{2}\.\d{4}", meeting.display)
    with translation.override("da"):
        labels = {c.label for e in trail_events(granted) for c in e.changes}
    assert {"Ansøgningsrunde", "Kommune", "Fokusområder", "Bevilget beløb"} <= labels
