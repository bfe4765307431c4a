"""The keys and the checkpoints: records from before the keys, rotation, tampered checkpoints."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from cases.models import Application, ApplicationStatus
from cases.trail.checkpoints import checkpoint_write
from cases.trail.keys import current_key_id, public_key_b64
from cases.trail.models import TransitionRecord
from tests.conftest import NO_HEARING
from workflows import engine

from ..workflows.support import reach
from .support import as_owner, records_of, rehash_from, set_case, verify

pytestmark = pytest.mark.django_db
S = ApplicationStatus
K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()


@pytest.fixture
def recommended(world: SimpleNamespace, draft: Application) -> Application:
    return reach(draft, world, S.RECOMMENDED)


def _decide(application: Application, world: SimpleNamespace) -> Application:
    return engine.perform(
        application,
        "decide",
        user=world.frida,
        outcome="grant",
        amount="20000",
        reason="Ja",
        **NO_HEARING,
    )


# --- records from before the keys --------------------------------------------------------------


def _as_before_the_upgrade(application: Application) -> None:
    """Make the chain what a release before the keys left: unkeyed SHA-256, no state."""
    rehash_from(application, 1, "unkeyed")
    table = TransitionRecord._meta.db_table
    sql = f"UPDATE {table} SET state = %s WHERE application_id = %s"  # noqa: S608
    as_owner(sql, ["{}", application.pk], table)


def test_records_from_before_the_keys_verify_and_new_ones_chain_on(
    recommended: Application, world: SimpleNamespace
) -> None:
    _as_before_the_upgrade(recommended)
    assert verify()[0] == 0

    _decide(Application.objects.get(pk=recommended.pk), world)

    records = records_of(recommended)
    assert [r.key_id for r in records] == ["", "", "", current_key_id()]
    assert records[3].prev_hash == records[2].hash
    code, output = verify()
    assert code == 0, output


def test_on_a_chain_from_before_the_keys_the_amount_is_checked_against_the_decision(
    recommended: Application, world: SimpleNamespace
) -> None:
    _decide(recommended, world)
    _as_before_the_upgrade(recommended)
    set_case(recommended, granted_amount=999999)

    code, output = verify()

    assert code == 1
    assert "granted_amount is 999999.00 but the decision recorded 20000" in output


def test_after_the_first_checkpoint_an_unkeyed_record_is_refused(
    recommended: Application, world: SimpleNamespace
) -> None:
    """A forger who makes a whole chain unkeyed: fine before the first checkpoint (it
    could be from before the upgrade), not for records after the head it names."""
    checkpoint_write()
    _decide(recommended, world)
    _as_before_the_upgrade(recommended)
    decide = records_of(recommended)[-1]

    code, output = verify()

    assert code == 1
    assert (
        f"record #4 (id {decide.pk}): unkeyed, but after the first checkpoint every "
        "record is keyed" in output
    )


# --- rotation ----------------------------------------------------------------------------------


@pytest.fixture
def recommended_2026(settings: Any, world: SimpleNamespace, draft: Application) -> Application:
    """Three records made with key 2026, the installation's first configured key."""
    settings.PULJEFLOW_TRAIL_KEYS = f"2026:{K1}"
    settings.PULJEFLOW_TRAIL_KEY_ID = ""
    return reach(draft, world, S.RECOMMENDED)


def test_a_rotated_key_signs_new_records_and_the_old_key_still_verifies(
    recommended_2026: Application, world: Any
) -> None:
    assert {r.key_id for r in records_of(recommended_2026)} == {"2026"}
    # Rotation: a new key appended and made current; the old one stays listed.
    settings.PULJEFLOW_TRAIL_KEYS = f"2026:{K1},2027:{K2}"
    settings.PULJEFLOW_TRAIL_KEY_ID = "2027"
    _decide(recommended_2026, world)

    assert [r.key_id for r in records_of(recommended_2026)] == ["2026"] * 3 + ["2027"]
    code, output = verify()
    assert code == 0, output

    # Drop the old key, and its records can no longer be checked: said as such.
    settings.PULJEFLOW_TRAIL_KEYS = f"2027:{K2}"
    code, output = verify()
    assert code == 1
    assert "record #1" in output
    assert "made with key “2026”, which this server does not hold" in output


def test_trail_keys_makes_a_new_key_for_the_rotation() -> None:
    out = StringIO()
    call_command("trail_keys", "--new", "2027", stdout=out)
    key_id, _, key = out.getvalue().strip().partition(":")
    assert key_id == "2027" and len(base64.b64decode(key)) == 32


# --- the checkpoints themselves ------------------------------------------------------------------


def _checkpoints() -> list[Path]:
    return sorted(Path(settings.PULJEFLOW_CHECKPOINT_DIR).glob("checkpoint-*.json"))


def _rewrite_file(path: Path, change: Any) -> None:
    document = json.loads(path.read_bytes())
    change(document)
    os.chmod(path, 0o644)
    path.write_text(json.dumps(document))


def test_a_checkpoint_is_written_once_signed_and_read_only(recommended: Application) -> None:
    path = checkpoint_write()
    assert path is not None and _checkpoints() == [path]
    document = json.loads(path.read_bytes())
    last = records_of(recommended)[-1]
    assert document["heads"] == [[recommended.pk, last.pk, last.seq, last.hash]]
    assert document["public_key"] == public_key_b64() and document["previous"] is None
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    # Beat writes only when the trail has grown.
    assert checkpoint_write(only_if_changed=True) is None


def test_an_edited_checkpoint_is_found(recommended: Application) -> None:
    path = checkpoint_write()
    assert path is not None
    _rewrite_file(path, lambda d: d["heads"][0].__setitem__(3, "0" * 64))

    code, output = verify()

    assert code == 1
    assert f"checkpoint {path.name}: the signature does not verify" in output


def test_a_checkpoint_signed_with_another_key_is_not_trusted(recommended: Application) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = checkpoint_write()
    assert path is not None
    other = Ed25519PrivateKey.generate()

    def resign(document: dict[str, Any]) -> None:
        document.pop("signature")
        document["public_key"] = public_key_b64(other.public_key())
        body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        document["signature"] = base64.b64encode(other.sign(body)).decode()

    _rewrite_file(path, resign)

    code, output = verify()

    assert code == 1 and "signed with a key that is not trusted here" in output


def test_a_removed_checkpoint_is_found_by_the_next(
    recommended: Application, world: SimpleNamespace
) -> None:
    first = checkpoint_write()
    _decide(recommended, world)
    second = checkpoint_write()
    engine.perform(
        Application.objects.get(pk=recommended.pk),
        "pay",
        user=world.carl,
        amount="20000",
        reference="UDB-1",
    )
    third = checkpoint_write()
    assert first and second and third
    assert json.loads(third.read_bytes())["previous"] == {
        "file": second.name,
        "sha256": hashlib.sha256(second.read_bytes()).hexdigest(),
    }
    os.remove(second)

    code, output = verify()

    assert code == 1
    assert f"checkpoint {third.name}: the checkpoint before it is missing or was changed" in output


def test_the_commands_write_a_checkpoint_and_print_the_public_key(
    recommended: Application,
) -> None:
    out = StringIO()
    call_command("trail_checkpoint", stdout=out)
    assert "Checkpoint written:" in out.getvalue() and len(_checkpoints()) == 1
    out = StringIO()
    call_command("trail_public_key", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == public_key_b64()
    assert len(base64.b64decode(public_key_b64())) == 32


def test_beat_writes_a_checkpoint_every_hour(recommended: Application) -> None:
    from cases.tasks import write_checkpoint

    entry = settings.CELERY_BEAT_SCHEDULE["trail-checkpoint"]
    assert (entry["task"], entry["schedule"]) == ("cases.tasks.write_checkpoint", 3600.0)
    assert write_checkpoint() != "" and write_checkpoint() == ""
    assert len(_checkpoints()) == 1


def test_the_public_key_is_published_to_anyone(client: Any) -> None:
    response = client.get("/trail/public-key")
    assert response.status_code == 200
    assert response.content.decode().strip() == public_key_b64()
    assert client.post("/trail/public-key").status_code == 405
