"""A transition's history row carries no copy of the focus areas; a change to them does."""

from __future__ import annotations

from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Application, FocusArea
from cases.trail.history import TRANSITION_REASON
from workflows.engine import perform

from .support import S, reach


def _copies(row: object) -> set[str]:
    return {item.focusarea.name for item in row.focus_areas.all()}  # type: ignore[attr-defined]


def test_transition_rows_skip_the_m2m_copy_and_selection_changes_keep_it(
    world: SimpleNamespace, draft: Application
) -> None:
    other = FocusArea.objects.create(round=draft.round, name="Ensomhed")
    draft.focus_areas.add(other)  # a change of the selection: its own row, with the copy
    changed = draft.history.order_by("-history_id").first()
    assert changed.history_change_reason is None
    assert other.name in _copies(changed)

    submitted = reach(draft, world, S.SUBMITTED)
    with CaptureQueriesContext(connection) as queries:
        accepted = perform(submitted, "accept", user=world.carl)
    row = accepted.history.order_by("-history_id").first()
    assert row.history_change_reason == f"{TRANSITION_REASON}accept"
    assert _copies(row) == set()
    # No read of the selection during the transition.
    through = Application.focus_areas.through._meta.db_table
    assert not [q for q in queries if f'FROM "{through}"' in q["sql"]]
    # The selection at that point is the latest copy before it.
    earlier = (
        accepted.history.filter(history_id__lt=row.history_id)
        .exclude(history_change_reason__startswith=TRANSITION_REASON)
        .order_by("-history_id")
        .first()
    )
    assert other.name in _copies(earlier)


def test_the_history_manager_class_is_built_once() -> None:
    """simple-history builds ``Model.history``'s class on every read, and reads it for every
    history row it writes; ours is built once (cases.trail.history.ManagerBuiltOnce)."""
    from cases.models import Application, Document, Payout

    for model in (Application, Document, Payout):
        assert model.history.__class__ is model.history.__class__
