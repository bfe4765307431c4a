"""A round's complete export in Debian's chromium, with a real Celery worker on the embedded
broker (as `make run` has): the auditor orders it from the round's decisions, the page waits
for it (htmx, every five seconds) while the worker makes it, says when it is ready, and the
download is the ZIP. axe finds no serious or critical problem while it waits or after."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, login, serve_demo
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _env(var: Path) -> dict[str, str]:
    """The demo server's environment (tests/browser/conftest.py serve_demo)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PULJEFLOW_VAR_DIR=str(var), DJANGO_DEBUG="0", PULJEFLOW_FAST_PASSWORDS="1")
    return env


@pytest.fixture(scope="module")
def var(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("var-export"))


@pytest.fixture(scope="module")
def server(var: Path) -> Iterator[str]:
    with serve_demo(var) as base:
        yield base


def _round_pk(var: Path) -> int:
    """The demo's round with the most applications."""
    found = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            "from django.db.models import Count; from cases.models import GrantRound; "
            "print(GrantRound.objects.annotate(n=Count('applications')).order_by('-n')[0].pk)",
        ],
        env=_env(var),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(found.stdout.split()[-1])


def test_the_auditor_orders_the_rounds_export_and_downloads_it_when_the_worker_made_it(
    server: str, var: Path, browser: Any
) -> None:
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="da-DK").new_page()
    page.set_default_timeout(15000)
    login(page, server, "auditor")
    page.goto(f"{server}/rounds/{_round_pk(var)}/decisions/")
    page.click("#round-export")
    page.wait_for_selector("h1:has-text('Hele ansøgningsrundens udtræk')")
    assert "Du har ikke bestilt et udtræk af ansøgningsrunden." in page.inner_text("main")
    page.click("#export-request")
    page.wait_for_selector("#export-list li[data-state='waiting']")
    assert "Udtrækket dannes nu." in page.inner_text("main")
    assert page.locator("#export-request").is_disabled()
    assert violations(page) == []

    log = open(var / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            *(str(Path(sys.executable).parent / "celery"), "-A", "config", "worker"),
            *("--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"),
        ],
        env=_env(var),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # The page is not reloaded: htmx fetches the list again until the worker is done.
        page.wait_for_selector("#export-list li[data-state='ready']", timeout=180_000)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()
    assert page.inner_text("#export-news") == "Dit udtræk er klar til at blive hentet."
    assert not page.locator("#export-request").is_disabled()
    assert "Slettes" in page.inner_text("#export-list")
    assert violations(page) == []

    with page.expect_download() as download:
        page.click("#export-list a[id^='export-file-']")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert archive.testzip() is None
    assert archive.read("decisions.csv").decode("utf-8-sig").startswith("Sagsnr.;")
    assert any(name.endswith("/summary.pdf") for name in archive.namelist())
    page.context.close()
