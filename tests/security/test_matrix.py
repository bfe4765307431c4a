"""Every URL pattern × every role × the states that matter, against tests/security/matrix.py.

One run of the whole matrix (built and requested once for the module); the tests below
each check one property of that run:

- every URL pattern of the project has an entry (a new page without its rules fails);
- every outcome is the expected one, and there are 0 unexpected allows;
- no GET changes data (no INSERT/UPDATE/DELETE, the database fingerprint unchanged);
- every refusal is logged on ``puljeflow.security`` (who, what, when).

The size and the result are printed at the end of the pytest run ("permission matrix").
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import matrix as m
from .report import SUMMARY
from .runner import Case, fingerprint, matches, run_matrix, url_patterns, writes

# The scene is built once for the package (conftest.py ``scene``); each test's own
# transaction nests inside it. Under xdist the package's tests share one worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("security")]


@pytest.fixture(scope="module")
def cases(scene: SimpleNamespace) -> list[Case]:
    run = run_matrix(scene)
    _summarise(run)
    return run


def _deviation(case: Case) -> str:
    return m.known_deviation(
        case.name, case.method, case.role, case.target, case.expected, case.got
    )


def _unexpected(cases: list[Case]) -> list[Case]:
    return [c for c in cases if not matches(c.expected, c.got, c.method) and not _deviation(c)]


def _known(cases: list[Case]) -> list[Case]:
    return [c for c in cases if not matches(c.expected, c.got, c.method) and _deviation(c)]


def _unexpected_allows(cases: list[Case]) -> list[Case]:
    """A refusal expected, and the request went through (2xx, or a redirect elsewhere than
    the login page). A 400/409 where a refusal was expected is wrong too (the permission
    was not checked first) but nothing was let through: it counts as unexpected only."""
    return [c for c in cases if c.expected in m.REFUSALS and c.got == m.ALLOW]


def _summarise(cases: list[Case]) -> None:
    patterns = {c.name for c in cases}
    targets = {(c.name, c.target) for c in cases}
    got = Counter(c.got for c in cases)
    bad = _unexpected(cases)
    lines = [
        f"{len(patterns)} URL patterns (admin aside) × {len(m.ROLES)} roles × "
        f"{len(targets)} (URL, target/state) pairs × methods = {len(cases)} cases",
        f"expected: {len(cases) - len(bad) - len(_known(cases))}, unexpected: {len(bad)}, "
        f"known deviations (reported, see matrix.KNOWN_DEVIATIONS): {len(_known(cases))}",
        f"{len(_unexpected_allows(cases))} unexpected allows",
        "outcomes: "
        + ", ".join(
            f"{k}={got[k]}"
            for k in (m.ALLOW, m.FLOW, m.LOGIN, m.FORBIDDEN, m.HIDDEN, m.NOT_ALLOWED)
        )
        + (f", other={sum(v for k, v in got.items() if k not in m.REFUSALS | {m.ALLOW, m.FLOW})}"),
        f"GETs that wrote data: {sum(1 for c in cases if c.wrote)} of "
        f"{sum(1 for c in cases if c.method == 'GET')}",
    ]
    lines += [f"  UNEXPECTED {c}" for c in bad[:40]]
    SUMMARY["lines"] = lines
    dump = os.environ.get("PULJEFLOW_MATRIX_DUMP")
    if dump:  # every case as JSON, for a reviewer who wants the whole table
        Path(dump).write_text(json.dumps([asdict(c) for c in cases], indent=1))


def test_every_url_pattern_is_in_the_matrix() -> None:
    names = {p.name for p in url_patterns()} - m.EXCLUDED
    missing = sorted(names - set(m.MATRIX))
    assert not missing, f"URL patterns without an entry in tests/security/matrix.py: {missing}"
    stale = sorted(set(m.MATRIX) - names)
    assert not stale, f"matrix entries for URL patterns that no longer exist: {stale}"


def test_every_url_pattern_was_tried(cases: list[Case]) -> None:
    tried = {c.name for c in cases}
    untried = sorted({p.name for p in url_patterns()} - m.EXCLUDED - tried)
    assert not untried, f"no target in the scene for {untried}"
    assert {c.role for c in cases} == set(m.ROLES)


def test_no_unexpected_allow(cases: list[Case]) -> None:
    allows = _unexpected_allows(cases)
    assert not allows, "unexpected allows:\n" + "\n".join(map(str, allows))


def test_every_outcome_is_the_expected_one(cases: list[Case]) -> None:
    bad = _unexpected(cases)
    assert not bad, f"{len(bad)} unexpected outcomes:\n" + "\n".join(map(str, bad[:60]))


def test_the_known_deviations_still_occur(cases: list[Case]) -> None:
    """Strict: once a view is fixed, its entry in matrix.KNOWN_DEVIATIONS must go."""
    seen = {m.known_deviation(c.name, c.method, c.role, c.target, c.expected, c.got) for c in cases}
    gone = [d.reason for d in m.KNOWN_DEVIATIONS if d.reason not in seen]
    assert not gone, f"fixed; remove from matrix.KNOWN_DEVIATIONS: {gone}"


def test_no_get_changes_data(cases: list[Case]) -> None:
    gets = [c for c in cases if c.method == "GET"]
    assert any(c.got == m.ALLOW for c in gets)
    wrote = [f"{c}: {c.wrote}" for c in gets if c.wrote]
    assert not wrote, "GET requests that changed data:\n" + "\n".join(wrote)


def test_every_refusal_by_status_code_is_logged(cases: list[Case]) -> None:
    """403, 404 and 405 answers leave ``refused status=... method=... path=... user=...``."""
    refused = [c for c in cases if c.got in (m.FORBIDDEN, m.HIDDEN, m.NOT_ALLOWED)]
    assert refused
    silent = [str(c) for c in refused if not c.logged]
    assert not silent, f"{len(silent)} refusals not logged, e.g.:\n" + "\n".join(silent[:20])


def test_every_redirect_to_login_is_logged(cases: list[Case]) -> None:
    """An anonymous request sent to the login page is a refusal too."""
    refused = [c for c in cases if c.got == m.LOGIN]
    assert refused
    silent = [str(c) for c in refused if not c.logged]
    assert not silent, f"{len(silent)} login redirects not logged, e.g.:\n" + "\n".join(silent[:20])


def test_the_write_detector_sees_the_old_offender(scene: SimpleNamespace) -> None:
    """What a download of a letter used to do on GET (print and store it) is caught both
    by the statement check and by the fingerprint."""
    import weasyprint

    from cases.documents.letters import letter_print

    from .runner import FakePDF
    from .scene import rolled_back

    before = fingerprint()
    with pytest.MonkeyPatch.context() as patch, rolled_back():
        patch.setattr(weasyprint, "HTML", FakePDF)
        with CaptureQueriesContext(connection) as queries:
            letter_print(scene.documents["granted"])
        assert writes(queries.captured_queries)
        assert fingerprint() != before
    assert fingerprint() == before


def test_the_matrix_can_fail() -> None:
    """The comparison is not a tautology: a refusal expected and an allow got is caught."""
    assert not matches(m.FORBIDDEN, m.ALLOW, "POST")
    assert not matches(m.HIDDEN, m.FORBIDDEN, "GET")
    assert not matches(m.ALLOW, m.FLOW, "GET")
    assert matches(m.ALLOW, m.FLOW, "POST")
    assert (
        m.MATRIX["applications:application_edit"].expect(m.APPLICANT, "submitted", "GET")
        == m.FORBIDDEN
    )
    assert (
        m.MATRIX["applications:application_edit"].expect(m.OTHER_APPLICANT, "draft", "GET")
        == m.HIDDEN
    )
