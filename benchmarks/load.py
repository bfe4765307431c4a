#!/usr/bin/env python
"""Load test: 50 clients for 60 s against the server as ``make run`` starts it.

    make load                                   # both configurations below
    .venv/bin/python benchmarks/load.py --config sqlite --clients 50 --duration 60
    DATABASE_URL=$(scripts/postgres-up) .venv/bin/python benchmarks/load.py --config postgres

For each configuration it prepares a fresh database, starts ``scripts/run-all``
(gunicorn and the Celery worker) on a spare port, signs the clients in, lets them loose
for ``--duration`` seconds, stops the server (its output: var/load-<config>-server.log) and reports:

- ``sqlite``: the embedded default, a SQLite file in a fresh PULJEFLOW_VAR_DIR;
- ``postgres``: the database ``puljeflow_load`` next to the one DATABASE_URL names,
  recreated on every run.

The clients, each with its own session (standard library only: http.client, threads):
applicants open and save their draft (two in five), case officers read the round's inbox
and a case and ask the association a question or accept (two in five), the applicants
answer those questions, and API clients list applications with a token (one in five).
Refusals (a case someone else just moved on: 409; a question already asked: 400/403)
are the expected answers to racing clients; a server error is any 5xx or a request that
got no answer. Prints requests, answers by status, p50/p95 per kind; writes
benchmarks/results/load.json. Figures are printed, never asserted (the goal is 0 server
errors).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "load.json"
LOAD_DB = "puljeflow_load"
PASSWORD = "puljeflow-demo"  # noqa: S105 (the demo password; this script seeds it)
CASES = 60  # submitted applications the case officers and applicants work on
HOST = "127.0.0.1"


# --- preparing the data (in a subprocess, with the configuration's environment) ------------

PREPARE = """
import datetime, json
from decimal import Decimal
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from cases.models import Association, GrantRound, Municipality
from cases.services.applications import application_create, budget_lines_replace
from workflows.engine import perform

carl = get_user_model().objects.get(username="caseofficer")
municipality = Municipality.objects.get(name="Roskilde Kommune")
now = timezone.now()
grant_round = GrantRound(
    municipality=municipality, name="Belastningsprøve", opens_at=now - datetime.timedelta(days=5),
    deadline=now + datetime.timedelta(days=30), pool_amount=Decimal("10000000"),
    report_deadline=timezone.localdate() + datetime.timedelta(days=400), required_attachments=[],
)
grant_round._history_user = carl
grant_round.save()
focus = grant_round.focus_areas.create(name="Fællesskab")
cases = {}
for username in ("applicant_a", "applicant_b"):
    association = Association.objects.filter(members__user__username=username).first()
    cases[username] = []
    for n in range(COUNT):
        application = application_create(
            grant_round=grant_round, association=association, acting_user=carl,
            data={"title": f"Belastning {n}", "purpose": "Fællesskab", "target_group": "Alle",
                  "activity_description": "Caféer", "volunteers": 5, "members": 20,
                  "participants": 30, "amount_requested": Decimal("10000"),
                  "other_funding": Decimal("0"), "declaration_correct": True},
            focus_areas=[focus], received_at=now,
        )
        budget_lines_replace(application=application, acting_user=carl,
                             lines=[("Materialer", Decimal("10000"))])
        cases[username].append(perform(application, "submit", user=carl).pk)
print(json.dumps({"round": grant_round.pk, "association": {
    u: Association.objects.filter(members__user__username=u).first().pk for u in cases
}, "cases": cases}))
"""


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )


def prepare(env: dict[str, str]) -> dict[str, Any]:
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--password", PASSWORD)
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    script = PREPARE.replace("COUNT", str(CASES // 2))
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    scene: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return scene


def postgres_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("--config postgres: set DATABASE_URL (make load does: scripts/postgres-up).")
    import psycopg

    try:
        conn = psycopg.connect(base, autocommit=True)
    except psycopg.OperationalError:  # DATABASE_URL's own database need not exist
        conn = psycopg.connect(
            urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True
        )
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{LOAD_DB}"')
    return urlunsplit(urlsplit(base)._replace(path=f"/{LOAD_DB}"))


def environment(config: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PULJEFLOW_"))}
    env["PULJEFLOW_VAR_DIR"] = str(var_dir)
    if config == "postgres":
        env["DATABASE_URL"] = postgres_url()
    return env


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """scripts/run-all in its own process group; its output to a log file."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / "scripts" / "run-all")],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            try:
                if Client(self.port).get("/login/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        sys.exit(f"The server did not come up; see {self.log}")

    def stop(self) -> None:
        # run-all's trap stops gunicorn and the worker, each in its own process group.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


# --- one client ---------------------------------------------------------------------------


class Forms(HTMLParser):
    """The POST forms of a page: action and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", ""), "data": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["data"].append(
                (a["name"], a.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._form["data"].append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._form["data"].append((self._textarea, ""))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            name, value = self._form["data"][-1]
            self._form["data"][-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_form(html: str, field: str) -> list[tuple[str, str]] | None:
    """The first POST form on the page that has ``field``."""
    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["method"].lower() == "post" and any(name == field for name, _ in form["data"]):
            data: list[tuple[str, str]] = form["data"]
            return data
    return None


class Client:
    """One browser: its own cookies, a new connection per request, no redirects followed."""

    def __init__(self, port: int, stats: Stats | None = None) -> None:
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.location = ""  # of the last redirect

    def request(
        self, method: str, path: str, *, kind: str = "", form: Any = None
    ) -> tuple[int, str]:
        headers = {"Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        body = None
        if form is not None:
            data = list(form)
            if "csrftoken" in self.cookies and method == "POST":
                data = [(k, v) for k, v in data if k != "csrfmiddlewaretoken"]
                data.append(("csrfmiddlewaretoken", self.cookies["csrftoken"]))
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            self.location = response.headers.get("Location", "")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        except (OSError, http.client.HTTPException) as error:
            status, text = 0, type(error).__name__
        finally:
            conn.close()
        if self.stats is not None and kind:
            self.stats.add(kind, status, time.perf_counter() - started)
        return status, text

    def get(self, path: str, kind: str = "") -> tuple[int, str]:
        return self.request("GET", path, kind=kind)

    def login(self, username: str) -> bool:
        status, page = self.get("/login/", "login")
        form = post_form(page, "username") if status == 200 else None
        if form is None:
            return False
        form = [(k, v) for k, v in form if k not in ("username", "password")]
        form += [("username", username), ("password", PASSWORD)]
        return self.request("POST", "/login/", kind="login", form=form)[0] == 302


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)
        self.counting = False

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            if self.counting or kind == "login":
                self.times[kind].append(seconds)
                self.statuses[kind][status] += 1


# --- what each kind of client does -----------------------------------------------------------


def act(client: Client, pk: int, name: str, field: str, value: str) -> None:
    """Open a transition's page and, if it offers the form, send it."""
    status, page = client.get(f"/applications/{pk}/act/{name}/", "act_page")
    form = post_form(page, "seen_version") if status == 200 else None
    if form is None:
        return
    form = [(k, v) for k, v in form if k != field] + [(field, value)]
    client.request("POST", f"/applications/{pk}/act/{name}/", kind=f"transition_{name}", form=form)


def applicant(client: Client, scene: dict[str, Any], username: str, until: float) -> None:
    status, page = client.get("/applications/new/", "new_draft_page")
    form = post_form(page, "title") or []
    form = [(k, v) for k, v in form if k not in ("round", "association", "title")]
    form += [
        ("round", str(scene["round"])),
        ("association", str(scene["association"][username])),
        ("title", f"Kladde {random.randrange(10**6)}"),
    ]
    status, _ = client.request("POST", "/applications/new/", kind="new_draft", form=form)
    edit = client.location if status == 302 else ""  # the new draft's page
    cases = scene["cases"][username]
    while time.monotonic() < until:
        roll = random.random()
        if roll < 0.4 and edit:
            status, page = client.get(edit, "draft_page")
            form = post_form(page, "purpose") if status == 200 else None
            if form:
                form = [(k, v) for k, v in form if k != "purpose"]
                form.append(("purpose", f"Fællesskab, version {random.randrange(10**6)}"))
                client.request("POST", edit, kind="save_draft", form=form)
        elif roll < 0.7:
            act(client, random.choice(cases), "provide_info", "answer", "Svar fra foreningen")
        else:
            client.get("/applications/", "my_applications")


def officer(client: Client, scene: dict[str, Any], until: float) -> None:
    cases = scene["cases"]["applicant_a"] + scene["cases"]["applicant_b"]
    while time.monotonic() < until:
        roll = random.random()
        pk = random.choice(cases)
        if roll < 0.3:
            client.get(f"/rounds/{scene['round']}/", "inbox")
        elif roll < 0.6:
            client.get(f"/applications/{pk}/", "case_page")
        elif roll < 0.95:
            act(client, pk, "request_info", "question", "Hvor mange frivillige er I?")
        else:
            act(client, pk, "accept", "reason", "Opfylder kriterierne")


def api_reader(client: Client, scene: dict[str, Any], until: float) -> None:
    while time.monotonic() < until:
        client.get(f"/api/v1/applications?round={scene['round']}", "api_list")


def api_token(port: int, username: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    answer = json.loads(conn.getresponse().read() or b"{}")
    conn.close()
    return str(answer.get("token", ""))


# --- a run ----------------------------------------------------------------------------------


def run(config: str, clients: int, duration: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"puljeflow-load-{config}-") as tmp:
        var_dir = Path(tmp)
        env = environment(config, var_dir)
        print(f"[{config}] preparing: migrate, seed_demo, collectstatic, {CASES} cases …")
        scene = prepare(env)
        port = free_port()
        log = ROOT / "var" / f"load-{config}-server.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        server = Server(env, port, log)
        try:
            server.wait_ready()
            return drive(config, port, scene, clients, duration, log)
        finally:
            server.stop()


def drive(
    config: str, port: int, scene: dict[str, Any], clients: int, duration: float, log: Path
) -> dict[str, Any]:
    stats = Stats()
    tokens = {u: api_token(port, u) for u in ("caseofficer", "applicant_a")}
    roles = []  # two in five applicants, two in five case officers, one in five API
    for n in range(clients):
        slot = n % 5
        if slot in (0, 1):
            roles.append(("applicant", ("applicant_a", "applicant_b")[n % 2]))
        elif slot in (2, 3):
            roles.append(("officer", "caseofficer"))
        else:
            roles.append(("api", ("caseofficer", "applicant_a")[n % 2]))
    people = []
    print(f"[{config}] signing in {clients} clients …")
    for role, username in roles:
        client = Client(port, stats)
        if role == "api":
            client.token = tokens[username]
        elif not client.login(username):
            sys.exit(f"[{config}] {username} could not sign in; see {log}")
        people.append((role, username, client))
    start_at = time.monotonic() + 1
    until = start_at + duration
    stats.counting = True

    def body(role: str, username: str, client: Client) -> None:
        time.sleep(max(0.0, start_at - time.monotonic()))
        if role == "applicant":
            applicant(client, scene, username, until)
        elif role == "officer":
            officer(client, scene, until)
        else:
            api_reader(client, scene, until)

    print(f"[{config}] {clients} clients for {duration:.0f} s …")
    threads = [threading.Thread(target=body, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start_at
    return report(config, stats, clients, duration, elapsed, log)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(
    config: str, stats: Stats, clients: int, duration: float, elapsed: float, log: Path
) -> dict[str, Any]:
    kinds = {}
    for kind in sorted(stats.times):
        times = stats.times[kind]
        kinds[kind] = {
            "requests": len(times),
            "statuses": {str(k): v for k, v in sorted(stats.statuses[kind].items())},
            "p50_ms": round(statistics.median(times) * 1000),
            "p95_ms": round(percentile(times, 0.95) * 1000),
        }
    measured = {k: v for k, v in kinds.items() if k != "login"}
    statuses: Counter[int] = Counter()
    for kind, counter in stats.statuses.items():
        if kind != "login":
            statuses.update(counter)
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    logged = log.read_text(errors="replace").count("Traceback")
    result = {
        "config": config,
        "clients": clients,
        "duration_s": duration,
        "elapsed_s": round(elapsed, 1),
        "requests": sum(statuses.values()),
        "requests_per_s": round(sum(statuses.values()) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": server_errors,
        "tracebacks_in_server_log": logged,
        "kinds": kinds,
    }
    print(
        f"\n[{config}] {result['requests']} requests in {elapsed:.0f} s "
        f"({result['requests_per_s']}/s), server errors: {server_errors}, "
        f"tracebacks in the server log: {logged}"
    )
    print(f"  by status: {result['statuses']}")
    print(f"  {'kind':<28}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    for kind, row in measured.items():
        print(
            f"  {kind:<28}{row['requests']:>9}{row['p50_ms']:>9}{row['p95_ms']:>9}  "
            f"{row['statuses']}"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    args = parser.parse_args()
    configs = ["sqlite", "postgres"] if args.config == "both" else [args.config]
    results = [run(config, args.clients, args.duration) for config in configs]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs = {**previous.get("runs", {}), **{r["config"]: r for r in results}}
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "runs": runs,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nWritten: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
