"""A real server started the way `make run` starts it, and Debian's chromium driving it.

Package-scoped, not session-scoped: both are stopped when the browser tests are done.
Under xdist the worker that ran them goes on with other tests, and while Playwright's
sync API is alive, Django's ORM in that process refuses to run (SynchronousOnlyOperation).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "demo-Password-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="package")
def demo_server(tmp_path_factory: Any) -> Iterator[str]:
    """migrate, seed_demo, collectstatic, runserver — on a fresh SQLite file, as `make run` does."""
    with serve_demo(tmp_path_factory.mktemp("var")) as base:
        yield base


@contextlib.contextmanager
def serve_demo(var: Path, **settings_env: str) -> Iterator[str]:
    """The demo server, with environment settings of its own (e.g. a short session limit:
    tests/browser/test_session.py)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PULJEFLOW_VAR_DIR=str(var), DJANGO_DEBUG="0", PULJEFLOW_FAST_PASSWORDS="1")
    env.update(settings_env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--no-input"],
        ["seed_demo", "--password", DEMO_PASSWORD],
        ["collectstatic", "--no-input"],
    ):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    log = open(var / "web.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A deadline, not a count: on a busy machine (xdist's other worker, other test runs)
        # runserver's imports and system checks can take longer than ten seconds.
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/login/", timeout=1)  # noqa: S310 - our own server
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(
                        "the demo server did not start: " + (var / "web.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed for the browser tests (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def login(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("main h1")


def logout(page: Any) -> None:
    page.click("header form[action$='/logout/'] button")
    page.wait_for_selector("#id_username")
