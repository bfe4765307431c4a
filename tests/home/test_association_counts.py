"""The association's home reads its three aggregates compiled once (cases/compiled.py):
each answers as the same queryset run by the ORM, for one association and for two."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from cases.selectors import home
from cases.selectors.feedback import open_since
from tests.home.scene import work


def _orm(queryset: Any, names: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in queryset}


def test_the_compiled_counts_are_the_orms_for_one_association_and_for_two(
    world: SimpleNamespace,
) -> None:
    work(world)
    now, today, since = timezone.now(), timezone.localdate(), open_since()
    moments = {"now": now, "today": today, "since": since}
    for ids in ([world.a.pk], [world.a.pk, world.b.pk], [world.b.pk, world.a.pk]):
        for compiled, build, names, values in (
            (home.COUNTED, home._counts, home.COUNTS, moments),
            (home.HEARINGS, home._hearings, home.HEARING_NAMES, {}),
            (home.PAYOUTS, home._payouts, home.PAYOUT_NAMES, {}),
        ):
            assert home._by_association(compiled.rows(ids, **values), names) == _orm(
                build(ids, **values), names
            )
    # The scene's association has work of every kind: the counts are not all empty.
    (counts,) = home._by_association(
        home.COUNTED.rows([world.a.pk], **moments), home.COUNTS
    ).values()
    assert counts["drafts"] >= 1 and counts["asked"] == 1 and counts["decided"] >= 2
    assert counts["granted"] > 0 and counts["decided_latest"] is not None
    assert isinstance(counts["decided_latest"], datetime.datetime)
    assert counts["feedback"] >= 1
