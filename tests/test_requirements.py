"""The two hash-locked requirement files (make lock) and what they may hold.

requirements/production.lock is all a deployment installs: [project].dependencies and
what they need, never a test or lint tool. requirements/dev.lock is the same plus the
dev extra, resolved against the production pins. Both are installed with
``pip install --require-hashes --no-deps``, so every requirement must be pinned with
``==`` and carry its hashes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ROOT / "requirements" / "production.lock"
DEV = ROOT / "requirements" / "dev.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Tools that test, lint, type-check or lock the code, and what only they pull in.
# Besides these, nothing named in the dev extra may reach production (unless
# [project].dependencies names it too).
TEST_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "pytest-randomly",
    "pytest-cov",
    "coverage",
    "ruff",
    "mypy",
    "django-stubs",
    "djangorestframework-stubs",
    "playwright",
    "schemathesis",
    "hypothesis",
    "bandit",
    "factory-boy",
    "faker",
    "time-machine",
    "freezegun",
    "pre-commit",
    "django-upgrade",
    "pip-tools",
    "locust",
}
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


def read_lock(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """{canonical name: (version, hashes)}; fails on any requirement it cannot read as
    ``name==version --hash=sha256:… …``."""
    entries: dict[str, tuple[str, frozenset[str]]] = {}
    logical = re.sub(r"\\\n", " ", path.read_text())
    for number, line in enumerate(logical.splitlines(), 1):
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement, *options = line.split()
        found = REQUIREMENT.match(requirement)
        assert found, f"{path.name}: {requirement!r} is not pinned with == (entry {number})"
        bad = [option for option in options if not HASH.match(option)]
        assert not bad, f"{path.name}: {requirement} has options other than hashes: {bad}"
        assert options, f"{path.name}: {requirement} has no hash"
        name = canonicalize_name(found["name"])
        assert name not in entries, f"{path.name}: {name} is listed twice"
        entries[name] = (found["version"], frozenset(options))
    return entries


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


@pytest.fixture(scope="module")
def production() -> dict[str, tuple[str, frozenset[str]]]:
    return read_lock(PRODUCTION)


@pytest.fixture(scope="module")
def dev() -> dict[str, tuple[str, frozenset[str]]]:
    return read_lock(DEV)


def test_every_requirement_of_both_locks_is_pinned_with_hashes(
    production: dict[str, tuple[str, frozenset[str]]], dev: dict[str, tuple[str, frozenset[str]]]
) -> None:
    # read_lock asserts the shape of every entry; both files hold some.
    assert production
    assert dev


def test_the_reader_refuses_a_requirement_without_a_hash(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text("django==5.2.19 \\\n    --hash=sha256:" + "0" * 64 + "\nsegno==1.6.6\n")
    with pytest.raises(AssertionError, match=re.escape("segno==1.6.6 has no hash")):
        read_lock(lock)


def test_no_test_or_lint_tool_is_in_the_production_lock(
    production: dict[str, tuple[str, frozenset[str]]],
) -> None:
    forbidden = (TEST_TOOLS | names(PYPROJECT["project"]["optional-dependencies"]["dev"])) - (
        names(PYPROJECT["project"]["dependencies"])
    )
    leaked = sorted(
        name for name in production if name in forbidden or name.startswith(("pytest", "types-"))
    )
    assert not leaked, f"test tools in requirements/production.lock: {leaked}"


def test_the_dev_lock_holds_the_production_pins_unchanged(
    production: dict[str, tuple[str, frozenset[str]]], dev: dict[str, tuple[str, frozenset[str]]]
) -> None:
    differing = sorted(name for name, pin in production.items() if dev.get(name) != pin)
    assert not differing, f"pinned differently (or missing) in requirements/dev.lock: {differing}"


def test_each_lock_covers_what_pyproject_asks_for(
    production: dict[str, tuple[str, frozenset[str]]], dev: dict[str, tuple[str, frozenset[str]]]
) -> None:
    """pyproject.toml edited without `make lock` shows here."""
    project = PYPROJECT["project"]
    assert names(project["dependencies"]) <= production.keys()
    assert names(project["optional-dependencies"]["dev"]) <= dev.keys()
