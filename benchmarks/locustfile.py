"""The load test of the production topology: ``locust -f benchmarks/locustfile.py --headless``.

benchmarks/topology.py starts it against the two web processes and hands it the scene
(benchmarks/topology_scene.py) in ``PULJEFLOW_TOPOLOGY_SCENE`` (a JSON file) and the web
processes in ``PULJEFLOW_TOPOLOGY_HOSTS`` (comma-separated base URLs). No load balancer:
each simulated user takes the next web process in turn, so the users are spread evenly
over both, as a round-robin balancer would spread new sessions.

Who does what (every request named by its kind, the names of the report):
- associations (4 in 8 of the users) create an application, fill in its steps, upload the
  round's required attachments (a real PDF), submit it, read their list and answer the
  case officers' questions;
- case officers (2 in 8) read the round's inbox and cases, accept or ask the association
  a question, and put what is ready on the council's and the committee's agenda;
- the council chair and the committee chair (one each) record the whole agenda on the bulk
  page, at intervals;
- auditors (1 in 8) read trails, the round's decisions and the exports (a case's ZIP; the
  round's, ordered twice in a run, made by a worker and downloaded when it is ready);
- citizens (1 in 8), not signed in, read the municipality's public pages: its call and its
  grants register.

Staff sign in with password and TOTP code, as a person does. A refused transition because
another user moved the case on first (403 "not allowed in this state" or 409 "the case has
moved on") is the expected answer to two users racing: it is a success for locust and
counted separately, in ``PULJEFLOW_TOPOLOGY_REFUSALS`` (a JSON file written at the end).
Any other 4xx, any 5xx and any request without an answer is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.load import Forms

SCENE: dict[str, Any] = {}
if os.environ.get("PULJEFLOW_TOPOLOGY_SCENE"):
    SCENE = json.loads(Path(os.environ["PULJEFLOW_TOPOLOGY_SCENE"]).read_text())
HOSTS = [h for h in os.environ.get("PULJEFLOW_TOPOLOGY_HOSTS", "").split(",") if h]
EXPECTED_REFUSALS = (403, 409)
REFUSALS: Counter[str] = Counter()
_lock = threading.Lock()
_next_host = itertools.count()
_next_account: dict[str, itertools.count[int]] = {}


def totp(hex_key: str, at: float | None = None) -> str:
    """RFC 6238 as django-otp checks it: SHA-1, 30 s steps, 6 digits."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


ROUND_EXPORTS = 2  # orders of the round's complete export in one run
_orders = itertools.count()


def _order_export() -> bool:
    """Whether this visit may order the round's export (the first ``ROUND_EXPORTS`` do)."""
    with _lock:
        return next(_orders) < ROUND_EXPORTS


def account(kind: str) -> dict[str, Any]:
    """The next account of a kind (round-robin over the scene's accounts)."""
    with _lock:
        counter = _next_account.setdefault(kind, itertools.count())
        n = next(counter)
    pool = SCENE[kind]
    return dict(pool[n % len(pool)])


class PageForms(Forms):
    """The POST forms of a page, and every checkbox's offered values by name."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("type", "").lower() == "checkbox" and a.get("name"):
            self.options.setdefault(a["name"], []).append(a.get("value", "on"))
        super().handle_starttag(tag, attrs)


def form_with(html: str, field: str) -> tuple[list[tuple[str, str]], dict[str, list[str]]] | None:
    parser = PageForms()
    parser.feed(html)
    for form in parser.forms:
        if form["method"].lower() == "post" and any(name == field for name, _ in form["data"]):
            return list(form["data"]), parser.options
    return None


def form_for(html: str, path: str) -> tuple[list[tuple[str, str]], dict[str, list[str]]] | None:
    """The POST form that posts to ``path`` (or to the page itself), without the formsets'
    empty templates, and the page's checkbox options."""
    parser = PageForms()
    parser.feed(html)
    for form in parser.forms:
        if form["method"].lower() == "post" and form["action"] in ("", path):
            data = [(k, v) for k, v in form["data"] if "__prefix__" not in k]
            return data, parser.options
    return None


def replace(data: list[tuple[str, str]], **values: Any) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in data if k not in values]
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            kept.append((key, str(item)))
    return kept


class Person(HttpUser):
    """A browser: its own session with one of the web processes."""

    abstract = True
    wait_time = between(1, 3)
    host = HOSTS[0] if HOSTS else "http://127.0.0.1:8000"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if HOSTS:
            self.client.base_url = HOSTS[next(_next_host) % len(HOSTS)]

    # --- requests ---------------------------------------------------------------------

    def call(
        self, method: str, path: str, kind: str, *, expect: tuple[int, ...] = (200,), **kw: Any
    ) -> Any:
        """One request, judged: ``expect`` (and 403/409 for a transition) pass."""
        kw.setdefault("allow_redirects", False)
        with self.client.request(method, path, name=kind, catch_response=True, **kw) as response:
            if response.status_code in expect:
                response.success()
            elif kind.startswith("transition") and response.status_code in EXPECTED_REFUSALS:
                with _lock:
                    REFUSALS[f"{kind} {response.status_code}"] += 1
                response.success()
            elif response.status_code == 0:  # no answer: say what the client saw
                error = response.error
                response.failure(f"no answer ({type(error).__name__}: {error}) for {method} {path}")
            else:
                response.failure(f"{response.status_code} for {method} {path}")
        # The production settings mark the cookies Secure (__Host-); the load test speaks
        # plain HTTP to the web processes, as a TLS-terminating proxy in front would.
        for cookie in self.client.cookies:
            cookie.secure = False
        return response

    def post_form(self, path: str, kind: str, data: list[tuple[str, str]], **kw: Any) -> Any:
        token = self.client.cookies.get("__Host-csrftoken") or self.client.cookies.get(
            "csrftoken", ""
        )
        data = replace(data, csrfmiddlewaretoken=token)
        return self.call("POST", path, kind, data=data, **kw)

    def sign_in(self, username: str, key: str = "") -> None:
        page = self.call("GET", "/login/", "login_page")
        found = form_with(page.text, "username")
        if found is None:
            return
        data = replace(found[0], username=username, password=SCENE["password"])
        answer = self.post_form("/login/", "login", data, expect=(302,))
        second = answer.headers.get("Location", "")
        if key and second:  # staff: the second factor's page (accounts:otp_verify)
            verify = self.call("GET", second, "otp_page")
            found = form_with(verify.text, "code")
            if found is None:
                return
            answer = self.post_form(
                second, "otp", replace(found[0], code=totp(key)), expect=(302, 400)
            )
            if answer.status_code == 400:  # typed at the turn of the 30 s step: the next code
                time.sleep(31 - time.time() % 30)
                self.post_form(second, "otp", replace(found[0], code=totp(key)), expect=(302,))

    def transition(self, pk: int, name: str, **values: str) -> None:
        """Open a transition's page and, if it offers the form, send it."""
        page = self.call("GET", f"/applications/{pk}/act/{name}/", "act_page")
        found = form_with(page.text, "seen_version") if page.status_code == 200 else None
        if found is None:
            return
        self.post_form(
            f"/applications/{pk}/act/{name}/",
            f"transition_{name}",
            replace(found[0], **values),
            expect=(302,),
        )

    def case_ids(self, html: str) -> list[int]:
        return sorted({int(pk) for pk in re.findall(r'href="/applications/(\d+)/"', html)})


class Association(Person):
    weight = 4

    def on_start(self) -> None:
        me = account("applicants")
        self.association = me["association"]
        self.sign_in(me["username"])
        self.mine: list[int] = []

    @task(3)
    def apply(self) -> None:
        """A whole application: create, every step, the attachments, review, submit."""
        page = self.call("GET", "/applications/new/", "new_page")
        found = form_with(page.text, "title")
        if found is None:
            return
        data = replace(
            found[0],
            round=SCENE["round"],
            association=self.association,
            title=f"Fællesskab {random.randrange(10**6)}",
        )
        created = self.post_form("/applications/new/", "new_draft", data, expect=(302,))
        match = re.search(r"/applications/(\d+)/", created.headers.get("Location", ""))
        if match is None:
            return
        pk = int(match.group(1))
        values = {
            "association": {"volunteers": 5, "members": 20},
            "activity": {
                "purpose": "Færre ensomme ældre",
                "target_group": "Ældre over 70",
                "activity_description": "Ugentlige caféer med frivillige",
                "participants": 30,
                "focus_areas": SCENE["focus_area"],
            },
            "budget": {
                "amount_requested": 10000,
                "other_funding": 0,
                "lines-0-description": "Materialer",
                "lines-0-amount": 10000,
            },
            "declarations": {"declaration_correct": "on"},
        }
        for step, fields in values.items():
            self.step(pk, step, fields)
            if step == "budget":
                self.upload(pk)
        review = self.call("GET", f"/applications/{pk}/edit/review/", "review_page")
        found = form_with(review.text, "seen_version")
        if found is not None:
            self.post_form(
                f"/applications/{pk}/edit/review/", "transition_submit", found[0], expect=(302,)
            )
            self.mine.append(pk)

    def step(self, pk: int, step: str, fields: dict[str, Any]) -> None:
        path = f"/applications/{pk}/edit/{step}/"
        page = self.call("GET", path, "draft_step_page")
        found = form_for(page.text, path)
        if found is None:
            return
        form, options = found
        if step == "activity":
            fields = {**fields, "target_groups": options.get("target_groups", [])[:1]}
        data = replace(form, next="1", **fields)
        self.post_form(path, "draft_step", data, expect=(302,))

    def upload(self, pk: int) -> None:
        pdf = Path(SCENE["pdf"]).read_bytes()
        for kind in SCENE["required_attachments"]:
            token = self.client.cookies.get("__Host-csrftoken", "")
            self.call(
                "POST",
                f"/applications/{pk}/attachments/",
                "upload_attachment",
                data={"kind": kind, "step": "attachments", "csrfmiddlewaretoken": token},
                files={"file": (f"{kind}.pdf", pdf, "application/pdf")},
                expect=(302,),
            )

    @task(2)
    def answer(self) -> None:
        """Read my applications; answer a question where one is open."""
        page = self.call("GET", "/applications/", "my_applications")
        for pk in self.case_ids(page.text)[-5:]:
            case = self.call("GET", f"/applications/{pk}/", "case_page")
            if f"/applications/{pk}/act/provide_info/" in case.text:
                self.transition(pk, "provide_info", answer="Vi er 12 frivillige.")
                return


class CaseOfficer(Person):
    weight = 2

    def on_start(self) -> None:
        me = account("officers")
        self.sign_in(me["username"], me["key"])

    def inbox(self) -> list[int]:
        page = self.call("GET", f"/rounds/{SCENE['round']}/", "inbox")
        return self.case_ids(page.text) or list(SCENE["cases"])

    @task(5)
    def screen(self) -> None:
        """A case from the inbox; accept it or ask a question, if the page offers that."""
        pk = random.choice(self.inbox())
        case = self.call("GET", f"/applications/{pk}/", "case_page")
        name = "request_info" if random.random() < 0.25 else "accept"
        if f"/applications/{pk}/act/{name}/" not in case.text:
            return
        if name == "request_info":
            self.transition(pk, name, question="Hvor mange frivillige er I?")
        else:
            self.transition(pk, name, reason="Opfylder kriterierne")

    @task(1)
    def agenda(self) -> None:
        for meeting in (SCENE["council_meeting"], SCENE["committee_meeting"]):
            self.post_form(
                f"/meetings/{meeting}/agenda/add-ready/", "agenda_add_ready", [], expect=(302,)
            )


class Chair(Person):
    """The chair of one body: the bulk page of its meeting, every half minute or so."""

    abstract = True
    fixed_count = 1
    wait_time = between(20, 40)
    chair = ""
    meeting_key = ""

    def on_start(self) -> None:
        me = SCENE["chairs"][self.chair]
        self.sign_in(me["username"], me["key"])

    @task
    def record_agenda(self) -> None:
        path = f"/meetings/{SCENE[self.meeting_key]}/bulk/"
        page = self.call("GET", path, "bulk_page")
        found = form_for(page.text, path)
        if found is None:
            return
        data = found[0]
        rows = {
            k.rsplit("-", 1)[0]
            for k, _ in data
            if k.startswith("row-") and k.endswith("-seen_version")
        }
        if not rows:
            return
        data = replace(data, **self.rows(rows, data))
        self.post_form(path, f"bulk_{self.chair}", data, expect=(302,))

    def rows(self, rows: set[str], data: list[tuple[str, str]]) -> dict[str, str]:
        raise NotImplementedError


class CouncilChair(Chair):
    chair = "council_chair"
    meeting_key = "council_meeting"

    def rows(self, rows: set[str], data: list[tuple[str, str]]) -> dict[str, str]:
        return {f"{row}-outcome": "grant" for row in rows}


class CommitteeChair(Chair):
    chair = "committee_chair"
    meeting_key = "committee_meeting"

    def rows(self, rows: set[str], data: list[tuple[str, str]]) -> dict[str, str]:
        chosen = dict(data)
        values = {}
        for row in rows:
            values[f"{row}-action"] = "decide"
            values[f"{row}-outcome"] = chosen.get(f"{row}-outcome") or "grant"
        return values


class Auditor(Person):
    weight = 1

    def on_start(self) -> None:
        me = account("auditors")
        self.sign_in(me["username"], me["key"])

    @task(4)
    def trail(self) -> None:
        pk = random.choice(SCENE["cases"])
        self.call("GET", f"/applications/{pk}/trail/", "trail")

    @task(2)
    def decisions(self) -> None:
        self.call("GET", f"/rounds/{SCENE['round']}/decisions/", "round_decisions")

    @task(1)
    def exports(self) -> None:
        pk = random.choice(SCENE["cases"])
        self.call("GET", f"/applications/{pk}/export.zip", "application_export")
        if random.random() < 0.3:
            self.round_export()

    def round_export(self) -> None:
        """The round's complete export: ordered by two auditors in a run (each takes a worker
        process about two minutes), then downloaded on a later visit once it is ready."""
        path = f"/rounds/{SCENE['round']}/export/"
        page = self.call("GET", path, "round_export_page")
        ready = re.search(r'href="(/exports/\d+/file\.zip)"', page.text or "")
        if ready:
            self.call("GET", ready[1], "round_export_file")
        elif "data-export=" not in (page.text or "") and _order_export():
            self.post_form(path, "round_export_order", [], expect=(302,))


class Citizen(Person):
    """Anyone, not signed in: the municipality's public pages, its call and its register."""

    weight = 1

    @task
    def read(self) -> None:
        slug = SCENE["slug"]
        self.call("GET", "/kommuner/", "public_index")
        self.call("GET", f"/{slug}/", "public_municipality")
        self.call("GET", f"/{slug}/puljer/{SCENE['round']}/", "public_call")
        self.call("GET", f"/{slug}/tilskud/", "public_register")


@events.quitting.add_listener
def _write_refusals(environment: Any, **kwargs: Any) -> None:
    target = os.environ.get("PULJEFLOW_TOPOLOGY_REFUSALS")
    if target:
        Path(target).write_text(json.dumps(dict(REFUSALS), indent=2) + "\n")
