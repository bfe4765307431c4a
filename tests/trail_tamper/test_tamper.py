"""The tamper suite: what an insider with database access tries, and verify_trail finds.

Each attack is made the way someone at the database would (tests/trail_tamper/support.py:
as the tables' owner, the append-only trigger switched off), on SQLite and PostgreSQL;
``manage.py verify_trail`` must name the case, the record and what is wrong, and exit 1.
What the database itself refuses to the application's role: test_database_roles.py.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cases.models import Application, ApplicationStatus
from cases.trail.checkpoints import checkpoint_write
from cases.trail.models import TransitionRecord
from workflows import engine

from ..workflows.support import reach
from .support import (
    HISTORY,
    RECORDS,
    as_owner,
    forged_hash,
    records_of,
    rehash_from,
    rewrite,
    set_case,
    verify,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def granted(world: SimpleNamespace, draft: Application) -> Application:
    """Four keyed records: submit, accept, recommend, decide (20.000 kr. granted)."""
    application = reach(draft, world, S.GRANTED)
    assert [r.transition for r in records_of(application)] == [
        "submit",
        "accept",
        "recommend",
        "decide",
    ]
    return application


def where(application: Application, record: TransitionRecord) -> str:
    return f"application {application.pk}, record #{record.seq} (id {record.pk})"


def test_an_untouched_trail_verifies_with_its_checkpoints(
    granted: Application, world: SimpleNamespace
) -> None:
    checkpoint_write()
    engine.perform(granted, "pay", user=world.carl, amount="20000", reference="UDB-1")
    checkpoint_write()

    code, output = verify()

    assert code == 0, output
    assert "1 applications, 5 transition records checked, 2 checkpoints" in output


# --- edit and re-hash ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("unkeyed", "unkeyed record after keyed ones"),
        ("wrong key", "content does not match its hash"),
    ],
)
def test_an_edited_record_rehashed_without_the_key_is_found(
    granted: Application, how: str, problem: str
) -> None:
    accept = records_of(granted)[1]
    accept.reason = "Opfylder IKKE kriterierne"
    rewrite(accept)
    rehash_from(granted, 2, how)

    code, output = verify()

    assert code == 1
    assert f"{where(granted, accept)}: {problem}" in output


@pytest.mark.parametrize("how", ["unkeyed", "with the key"])
def test_a_whole_chain_rewritten_after_a_checkpoint_is_found_by_it(
    granted: Application, how: str
) -> None:
    """Re-hashed from the first record (as if it all predated the keys), or by someone who
    holds the HMAC key: the chain holds together, the checkpoint does not."""
    checkpoint_write()
    first = records_of(granted)[0]
    first.reason = "Indsendt for sent"
    rewrite(first)
    rehash_from(granted, 1, how)
    decide = records_of(granted)[-1]

    code, output = verify()

    assert code == 1
    assert f"{where(granted, decide)}: differs from checkpoint checkpoint-" in output
    assert "the record was replaced" in output


# --- forge and append ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "key_id", "problem"),
    [
        ("unkeyed", "", "unkeyed record after keyed ones"),
        ("wrong key", None, "content does not match its hash"),
        ("wrong key", "2031", "made with key “2031”, which this server does not hold"),
    ],
)
def test_a_forged_record_appended_with_the_case_moved_on_is_found(
    granted: Application, world: SimpleNamespace, how: str, key_id: str | None, problem: str
) -> None:
    last = records_of(granted)[-1]
    forged = TransitionRecord(
        application=granted,
        seq=5,
        flow="application",
        transition="pay",
        from_state=S.GRANTED,
        to_state=S.PAID,
        actor=world.carl,
        actor_name=last.actor_name,
        role="case_officer",
        created_at=last.created_at + datetime.timedelta(days=1),
        payload={"_actor_id": world.carl.pk, "amount": "20000.00"},
        prev_hash=last.hash,
        key_id=last.key_id if key_id is None else key_id,
        state={**last.state, "status": S.PAID, "version": 5},
    )
    forged.hash = forged_hash(forged, how)
    forged.save()
    set_case(granted, status=S.PAID, version=5)

    code, output = verify()

    assert code == 1
    assert f"{where(granted, forged)}: {problem}" in output


# --- truncate the tail -----------------------------------------------------------------------


def _truncate_decision(application: Application) -> TransitionRecord:
    """Delete the decision and put the case back as the record before it left it."""
    decide = records_of(application)[-1]
    as_owner(f"DELETE FROM {RECORDS} WHERE id = %s", [decide.pk], RECORDS)  # noqa: S608
    set_case(
        application,
        status=S.RECOMMENDED,
        version=3,
        granted_amount=None,
        decided_at=None,
        decision_reasons="",
    )
    return decide


def test_a_truncated_tail_with_the_case_reverted_passes_the_chain_alone(
    granted: Application,
) -> None:
    """Why the checkpoints exist: every link and the case agree after the truncation."""
    _truncate_decision(granted)
    code, output = verify()
    assert code == 0, output


def test_a_truncated_tail_with_the_case_reverted_is_found_by_the_checkpoint(
    granted: Application,
) -> None:
    checkpoint_write()
    decide = _truncate_decision(granted)

    code, output = verify()

    assert code == 1
    assert f"{where(granted, decide)}: named in checkpoint checkpoint-" in output
    assert "gone from the database" in output


# --- the case changed behind the flow ---------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("granted_amount", Decimal("999999"), "granted_amount is 999999"),
        (
            "decided_at",
            datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
            "decided_at is 2020-01-01T00:00:00+00:00",
        ),
        ("recommended_amount", Decimal("1"), "recommended_amount is 1"),
    ],
)
def test_a_direct_update_of_the_case_is_found(
    granted: Application, column: str, value: object, shown: str
) -> None:
    set_case(granted, **{column: value})
    decide = records_of(granted)[-1]

    code, output = verify()

    assert code == 1
    assert f"{where(granted, decide)}: the case does not agree with its last record" in output
    assert shown in output


# --- the model history rewritten -------------------------------------------------------------


def _decision_history_row(application: Application) -> int:
    return int(records_of(application)[-1].state["history"]["id"])


def test_a_rewritten_history_row_is_found(granted: Application) -> None:
    row = _decision_history_row(granted)
    as_owner(
        f"UPDATE {HISTORY} SET amount_requested = %s, granted_amount = %s "  # noqa: S608
        "WHERE history_id = %s",
        [1, 999999, row],
        HISTORY,
    )

    code, output = verify()

    assert code == 1
    decide = records_of(granted)[-1]
    assert f"{where(granted, decide)}: the case's history row {row} it names was changed" in (
        output
    )


def test_a_deleted_history_row_is_found(granted: Application) -> None:
    row = _decision_history_row(granted)
    as_owner(f"DELETE FROM {HISTORY} WHERE history_id = %s", [row], HISTORY)  # noqa: S608

    code, output = verify()

    assert code == 1 and f"the case's history row {row} it names is gone" in output
