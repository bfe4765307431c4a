"""Two first publications of one association at once: one entry, no error.

On PostgreSQL only, as tests/hardening/test_pool_concurrency.py says why: each thread is
one request on its own connection, released together.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from cases.models import Association, DirectoryEntry, Municipality
from cases.services.directory import directory_entry_publish

from ..conftest import on_postgres
from .conftest import entry_data

pytestmark = on_postgres

THREADS = 6


def test_parallel_first_publications_make_one_entry_and_fail_none(
    transactional_db: Any, world: SimpleNamespace
) -> None:
    barrier = threading.Barrier(THREADS)
    outcomes: list[Any] = [None] * THREADS

    def publish(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = directory_entry_publish(
                association=Association.objects.get(pk=world.a.pk),
                municipality=Municipality.objects.get(pk=world.roskilde.pk),
                acting_user=get_user_model().objects.get(pk=world.anna.pk),
                data=entry_data(description=f"Udgave {index}: lektiehjælp hver tirsdag."),
            )
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    entries = DirectoryEntry.objects.filter(association=world.a, municipality=world.roskilde)
    assert entries.count() == 1
    assert entries.get().published
