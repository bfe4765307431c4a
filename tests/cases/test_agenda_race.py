"""Two case officers adding what is ready to the same agenda at once: one adds, the other
finds it there; nobody gets an error (issue 19's load test: a 500 from the unique (meeting,
application) when the second insert lost the race). On PostgreSQL, with two connections."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from cases.models import AgendaItem, Application
from cases.services import meetings
from tests.conftest import advance, on_agenda, on_postgres

from ..factories import ApplicationFactory


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_adding_the_ready_cases_at_once_both_succeed(
    world: SimpleNamespace, draft: Application, monkeypatch: Any
) -> None:
    first = advance(draft, world, "in_council_review")  # on the council's agenda: made
    meeting = on_agenda(first, world)
    ready = []
    for _ in range(2):
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        ready.append(advance(application, world, "in_council_review"))
    AgendaItem.objects.filter(application__in=ready).delete()  # ready, not yet on it

    inserted, go = threading.Event(), threading.Event()
    original = AgendaItem.save
    holder = threading.current_thread

    def slow_save(self: AgendaItem, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if holder().name == "first":  # hold the first adder's transaction open
            inserted.set()
            go.wait(10)

    monkeypatch.setattr(AgendaItem, "save", slow_save)
    added: dict[str, int] = {}
    errors: list[BaseException] = []

    def add() -> None:
        try:
            added[holder().name] = meetings.agenda_add_all_ready(
                meeting=meeting, acting_user=world.carl
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    one = threading.Thread(target=add, name="first")
    two = threading.Thread(target=add, name="second")
    one.start()
    assert inserted.wait(10)
    two.start()
    two.join(1)  # the second adder now waits for the first (or, unlocked, reads past it)
    go.set()
    one.join()
    two.join()
    assert errors == []
    assert added == {"first": 2, "second": 0}
    assert AgendaItem.objects.filter(meeting=meeting).count() == 3
