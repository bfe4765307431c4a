"""A round's complete export, made in the background (cases/services/round_exports.py):
asked for on its page, made by the worker once, downloaded by the one who asked, queued
again when lost, deleted after its day; never a 500."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import os
import threading
import zipfile
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases.documents import exports
from cases.models import ExportState, RoundExport, StaffRole
from cases.services import round_exports
from cases.services.round_exports import build, sweep

from ..conftest import advance, on_postgres
from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _granted(world: SimpleNamespace, n: int = 2) -> list[Any]:
    found = []
    for _ in range(n):
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        found.append(advance(application, world, "granted"))
    return found


def _page(world: SimpleNamespace) -> str:
    return reverse("audit:round_export", args=[world.round.pk])


def _ask(client: Client, world: SimpleNamespace, capture: Any, language: str = "da") -> Any:
    """POST the request and run what the commit queues (the task runs in-process)."""
    with capture(execute=True):
        return client.post(_page(world), HTTP_ACCEPT_LANGUAGE=language)


def _download(client: Client, export: RoundExport) -> Any:
    return client.get(reverse("audit:round_export_file", args=[export.pk]))


def _archive(response: Any) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_an_export_is_asked_for_made_by_the_worker_and_downloaded(
    world: SimpleNamespace, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cases = _granted(world)
    client = as_user(world.carl)
    response = _ask(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == _page(world)
    export = RoundExport.objects.get()
    assert export.state == ExportState.READY and export.cases == 2
    assert export.requested_by == world.carl and export.attempts == 1

    page = client.get(_page(world)).content.decode()
    assert "Klar" in page and export.sha256 in page
    assert 'hx-trigger="every 5s"' not in page  # nothing left to wait for
    assert "Dit udtræk er klar til at blive hentet." in page  # what a screen reader hears

    response = _download(client, export)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == export.sha256 and len(data) == export.size
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    rows = list(
        csv.reader(io.StringIO(archive.read("decisions.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][0] == "Sagsnr." and len(rows) == 3
    for application in cases:
        assert f"{application.case_number}/summary.pdf" in archive.namelist()


def test_the_export_is_made_in_the_askers_language_whatever_the_worker_speaks(
    world: SimpleNamespace, as_user: Any
) -> None:
    _granted(world, 1)
    danish, _ = round_exports.request_export(world.round, world.carl, "da")
    english, _ = round_exports.request_export(world.round, world.gustav, "en")
    with translation.override("en"):
        build(danish.pk)
    with translation.override("da"):
        build(english.pk)
    danish.refresh_from_db()
    english.refresh_from_db()
    with danish.file.open("rb") as handle:
        assert (
            zipfile.ZipFile(handle).read("decisions.csv").decode("utf-8-sig").startswith("Sagsnr.;")
        )
    with english.file.open("rb") as handle:
        head = zipfile.ZipFile(handle).read("decisions.csv").decode("utf-8-sig")
        assert head.startswith("Case no.")


def test_asking_again_while_it_is_made_makes_no_second(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.carl)
    client.post(_page(world))  # the commit's task does not run: it waits for a worker
    response = client.post(_page(world), follow=True)
    assert RoundExport.objects.count() == 1
    page = response.content.decode()
    assert "Dit udtræk af ansøgningsrunden er allerede ved at blive dannet." in page
    assert 'hx-trigger="every 5s"' in page and "I kø" in page
    assert RoundExport.objects.get().state == ExportState.WAITING
    assert 'id="export-request" disabled' in page


def test_two_orders_at_once_give_one_export(world: SimpleNamespace) -> None:
    from django.db import IntegrityError, transaction
    from django.db.models import QuerySet

    first, created = round_exports.request_export(world.round, world.carl, "da")
    assert created
    # The second order looked before the first was written: the database refuses a second.
    with mock.patch.object(QuerySet, "first", return_value=None):
        second, created = round_exports.request_export(world.round, world.carl, "da")
    assert second == first and not created
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundExport.objects.create(grant_round=world.round, requested_by=world.carl)
    # Made, it no longer counts: the next order is a new export.
    build(first.pk)
    _again, created = round_exports.request_export(world.round, world.carl, "da")
    assert created


def test_only_the_one_who_asked_downloads_and_only_while_staff(
    world: SimpleNamespace, as_user: Any, client: Client
) -> None:
    asked, _ = round_exports.request_export(world.round, world.carl, "da")
    export = build(asked.pk)
    assert export is not None and export.sha256
    url = reverse("audit:round_export_file", args=[export.pk])
    assert client.get(url).status_code == 302 and "login" in client.get(url)["Location"]
    for other in (world.erik, world.gustav, world.helle, world.anna):
        assert as_user(other).get(url).status_code == 404, other
    assert as_user(world.carl).get(url).status_code == 200
    assert as_user(world.carl).post(url).status_code == 405
    StaffRole.objects.filter(user=world.carl).delete()
    assert as_user(world.carl).get(url).status_code == 404
    # Nobody sees another's exports on the round's page either.
    page = as_user(world.gustav).get(_page(world)).content.decode()
    assert export.sha256 not in page
    assert "Du har ikke bestilt et udtræk af ansøgningsrunden." in page


def test_the_auditor_asks_and_downloads_too(
    world: SimpleNamespace, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _granted(world, 1)
    client = as_user(world.gustav)
    _ask(client, world, django_capture_on_commit_callbacks)
    export = RoundExport.objects.get(requested_by=world.gustav)
    assert _archive(_download(client, export)).testzip() is None


def test_a_download_before_it_is_ready_or_after_it_is_deleted_says_why(
    world: SimpleNamespace, as_user: Any, settings: Any
) -> None:
    client = as_user(world.carl)
    export, _ = round_exports.request_export(world.round, world.carl, "da")
    response = client.get(reverse("audit:round_export_file", args=[export.pk]), follow=True)
    assert response.redirect_chain[-1][0] == _page(world)
    assert "Udtrækket kan ikke hentes: I kø." in response.content.decode()

    build(export.pk)
    export.refresh_from_db()
    path = export.file.path
    RoundExport.objects.filter(pk=export.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert sweep()["deleted"] == 1
    export.refresh_from_db()
    assert export.state == ExportState.DELETED and not export.file
    assert not os.path.exists(path)
    response = client.get(reverse("audit:round_export_file", args=[export.pk]), follow=True)
    assert "Udtrækket kan ikke hentes: Slettet." in response.content.decode()
    assert sweep()["deleted"] == 0  # the row stays, as the record of who took the data out


def test_a_file_gone_from_storage_is_a_message_not_a_500(
    world: SimpleNamespace, as_user: Any
) -> None:
    export, _ = round_exports.request_export(world.round, world.carl, "da")
    export = build(export.pk)
    assert export is not None
    export.file.storage.delete(export.file.name)
    response = as_user(world.carl).get(
        reverse("audit:round_export_file", args=[export.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Udtrækkets fil mangler. Bestil et nyt udtræk." in response.content.decode()


def test_a_failed_export_is_shown_and_a_new_one_can_be_asked_for(
    world: SimpleNamespace, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user(world.carl)
    with mock.patch.object(exports, "round_zip", side_effect=OSError("disk full")):
        _ask(client, world, django_capture_on_commit_callbacks)
    failed = RoundExport.objects.get()
    assert failed.state == ExportState.FAILED and failed.error == "OSError: disk full"
    assert not failed.file
    page = client.get(_page(world)).content.decode()
    assert "Kunne ikke dannes" in page and "disk full" not in page  # no internals shown
    assert "Dit udtræk kunne ikke dannes." in page
    _ask(client, world, django_capture_on_commit_callbacks)
    assert RoundExport.objects.count() == 2
    assert RoundExport.objects.first().state == ExportState.READY  # the newest


def test_the_worker_makes_it_once_and_takes_over_only_a_lost_start(
    world: SimpleNamespace, settings: Any
) -> None:
    export, _ = round_exports.request_export(world.round, world.carl, "da")
    with mock.patch.object(exports, "round_zip", wraps=exports.round_zip) as made:
        assert build(export.pk) is not None
        assert build(export.pk) is None  # delivered twice: made once
        assert made.call_count == 1

    # Started long ago, but its worker wrote a sign of life a minute ago: it lives.
    running, _ = round_exports.request_export(world.round, world.erik, "da")
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    RoundExport.objects.filter(pk=running.pk).update(
        started_at=long_ago, alive_at=timezone.now() - datetime.timedelta(minutes=1), attempts=1
    )
    assert build(running.pk) is None
    # Silent for longer than PULJEFLOW_EXPORT_STALE_MINUTES: its worker is gone.
    silent = timezone.now() - datetime.timedelta(
        minutes=settings.PULJEFLOW_EXPORT_STALE_MINUTES + 1
    )
    RoundExport.objects.filter(pk=running.pk).update(alive_at=silent)
    again = build(running.pk)
    assert again is not None and again.state == ExportState.READY and again.attempts == 2
    assert again.cases_done == again.cases


def test_the_worker_writes_how_far_it_is(world: SimpleNamespace, settings: Any) -> None:
    _granted(world, 3)
    export, _ = round_exports.request_export(world.round, world.carl, "da")
    seen = []
    real = exports._write_case

    def write_case(*args: Any, **kwargs: Any) -> None:
        seen.append(RoundExport.objects.values_list("cases_done", "cases").get(pk=export.pk))
        real(*args, **kwargs)

    with (
        mock.patch.object(exports, "_write_case", write_case),
        mock.patch.object(round_exports, "PROGRESS_SECONDS", 0),
    ):
        build(export.pk)
    assert seen == [(0, 3), (1, 3), (2, 3)]
    assert RoundExport.objects.values_list("cases_done", "cases").get(pk=export.pk) == (3, 3)


def test_the_sweep_queues_what_was_lost_and_gives_up_in_the_end(
    world: SimpleNamespace, settings: Any
) -> None:
    settings.PULJEFLOW_EXPORT_ATTEMPTS = 2
    lost = timezone.now() - datetime.timedelta(minutes=settings.PULJEFLOW_EXPORT_STALE_MINUTES + 1)
    fresh, _ = round_exports.request_export(world.round, world.carl, "da")
    never, _ = round_exports.request_export(world.round, world.erik, "da")
    dying, _ = round_exports.request_export(world.round, world.gustav, "da")
    dead, _ = round_exports.request_export(world.round, world.frida, "da")
    long_ago = timezone.now() - datetime.timedelta(minutes=6)
    RoundExport.objects.filter(pk=never.pk).update(requested_at=long_ago)
    RoundExport.objects.filter(pk=dying.pk).update(
        requested_at=long_ago, started_at=lost, alive_at=lost, attempts=1
    )
    RoundExport.objects.filter(pk=dead.pk).update(
        requested_at=long_ago, started_at=lost, alive_at=lost, attempts=2
    )
    counts = sweep()  # the queued tasks run in-process here
    assert counts == {"queued": 2, "given_up": 1, "deleted": 0}
    states = {e.pk: e.state for e in RoundExport.objects.all()}
    assert states == {
        fresh.pk: ExportState.WAITING,  # its task may still be in the queue
        never.pk: ExportState.READY,
        dying.pk: ExportState.READY,
        dead.pk: ExportState.FAILED,
    }


def test_the_page_waits_for_the_export_and_is_for_the_rounds_staff(
    world: SimpleNamespace, as_user: Any
) -> None:
    round_exports.request_export(world.round, world.carl, "da")
    page = as_user(world.carl).get(_page(world)).content.decode()
    assert 'hx-trigger="every 5s"' in page and "I kø" in page
    assert 'id="export-news" class="sr-only" role="status"></p>' in page  # silent while made
    assert "Vis den seneste status" in page  # without JavaScript
    assert as_user(world.helle).get(_page(world)).status_code == 404
    assert as_user(world.anna).get(_page(world)).status_code == 404
    english = as_user(world.carl)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = english.get(_page(world)).content.decode()
    assert "In the queue" in page and "complete export</h1>" in page


@on_postgres
def test_two_workers_at_once_make_it_once(transactional_db: Any, world: SimpleNamespace) -> None:
    # Made directly: request_export's task would run at its (immediate) commit here.
    export = RoundExport.objects.create(grant_round=world.round, requested_by=world.carl)
    barrier, won = threading.Barrier(2), []

    def claim() -> None:
        try:
            barrier.wait(timeout=10)
            won.append(round_exports._claim(export.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(x is None for x in won) == [False, True]
    assert RoundExport.objects.get().attempts == 1


def test_the_page_reads_the_same_whatever_the_number_of_exports(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.carl)
    client.get(_page(world))  # the session and the user's roles, read once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_page(world)).status_code == 200
        return len(queries)

    RoundExport.objects.create(grant_round=world.round, requested_by=world.carl, language="da")
    one = count()
    for _ in range(6):
        RoundExport.objects.create(
            grant_round=world.round,
            requested_by=world.carl,
            language="da",
            finished_at=timezone.now(),
            size=1,
            sha256="0" * 64,
        )
    assert count() == one


def test_the_page_shows_how_far_the_worker_is(world: SimpleNamespace, as_user: Any) -> None:
    export, _ = round_exports.request_export(world.round, world.carl, "da")
    RoundExport.objects.filter(pk=export.pk).update(
        started_at=timezone.now(), alive_at=timezone.now(), cases=40, cases_done=12, attempts=1
    )
    page = as_user(world.carl).get(_page(world)).content.decode()
    assert "Dannes" in page and "12 af 40 sager skrevet" in page
    assert f'<progress max="40" value="12" aria-labelledby="export-progress-{export.pk}">' in page
