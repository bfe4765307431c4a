"""``bulk_record(..., allocation=...)`` writes the proposal into each record it concerns,
and nothing into any other record."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from cases.models import Body, Meeting
from cases.trail.models import TransitionRecord
from tests.allocation.test_screens import council_agenda, items
from workflows import bulk

pytestmark = pytest.mark.django_db

ALLOCATION = {"method": "priority", "params": {"pool": "20000"}, "proposed": {}}


def rows(meeting: Meeting) -> list[dict[str, object]]:
    return [
        {
            "application": a.pk,
            "action": "recommend",
            "seen_version": a.version,
            "outcome": "grant",
            "unanimous": True,
        }
        for a in items(meeting)
    ]


def test_only_the_items_in_the_proposal_record_it(world: SimpleNamespace) -> None:
    meeting = council_agenda(world, ["20000", "10000"])
    first, second = items(meeting)
    allocation = {**ALLOCATION, "proposed": {str(first.pk): "15000"}}
    result = bulk.bulk_record(meeting, rows(meeting), user=world.erik, allocation=allocation)
    assert result.ok, (result.errors, result.general)
    payloads = {
        r.application_id: r.payload for r in TransitionRecord.objects.filter(transition="recommend")
    }
    assert payloads[first.pk]["allocation"] == {
        "method": "priority",
        "params": {"pool": "20000"},
        "proposed": "15000.00",
        "chosen": "20000.00",
    }
    assert "allocation" not in payloads[second.pk]


def test_a_recording_without_a_proposal_records_none(world: SimpleNamespace) -> None:
    meeting = council_agenda(world, ["20000"])
    assert bulk.bulk_record(meeting, rows(meeting), user=world.erik).ok
    (record,) = TransitionRecord.objects.filter(transition="recommend")
    assert "allocation" not in record.payload
    assert meeting.body == Body.COUNCIL and Decimal(record.payload["amount"]) == 20000
