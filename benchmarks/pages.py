#!/usr/bin/env python
"""Issue 19, goal 3: every page against the framework's floor, 1k against 300k, in ONE run.

    DATABASE_URL=$(scripts/postgres-up) .venv/bin/python benchmarks/pages.py \\
        [--small puljeflow_bench_national_1k] [--large puljeflow_bench_national_300k]
    .venv/bin/python benchmarks/pages.py --profile "case officer's inbox" --db <name>
    .venv/bin/python benchmarks/pages.py --explain "application trail" --db <name>

Two child processes (``--serve <database>``), one per size, each with its own Django,
connection and signed-in clients, answer commands on stdin. This process sends each page
to both in turns, ``BATCH`` requests at a time, alternating which size goes first, so
both sizes see the same machine load; the bare signed-in page (``benchmarks/urls.py``)
is measured the same way. Per page it prints and writes to benchmarks/results/pages.json
the goals of issue 19: p95 at the large size ≤ 1.3 × p95 at the small one; the median at
each size ≤ 4 × the bare page's median at that size; the same query count at every size.

The pages only read; what a request writes is its session (the session's idle time),
as in production. The public pages (no sign-in) are measured with their cache emptied
before every request: what is measured is building the page, not reading the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "pages.json"
SMALL, LARGE = "puljeflow_bench_national_1k", "puljeflow_bench_national_300k"
WARMUP = 5  # requests per page and size before any is timed
BATCH, ROUNDS = 10, 6  # 60 timed requests per page and size, in batches taken in turns
BARE = "bare signed-in page (the floor)"
P95_LIMIT, FLOOR_LIMIT = 1.3, 4.0
MARK = "@@"  # a child's answer line (Django or a library may print other lines)


@dataclass
class Page:
    name: str
    url: str
    who: str  # the key of the signed-in user in _measured_objects(), "" for nobody
    public: bool = False  # empty the public pages' cache before each request

    def describe(self) -> dict[str, Any]:
        return asdict(self)


def page_list(objects: dict[str, Any]) -> list[Page]:
    from django.urls import reverse

    slug = objects["municipality"].slug
    round_pk, officer = objects["round"].pk, "officer"
    return [
        Page(BARE, reverse("bench_bare"), officer),
        Page("case officer's inbox", reverse("inbox:round_inbox", args=[round_pk]), officer),
        Page(
            "committee agenda",
            reverse("meetings:meeting_agenda", args=[objects["meeting"].pk]),
            officer,
        ),
        Page(
            "application trail",
            reverse("audit:application_trail", args=[objects["application"].pk]),
            officer,
        ),
        Page("round report", reverse("reports:round_report", args=[round_pk]), officer),
        Page("GET /api/v1/applications", reverse("api:api_applications"), officer),
        Page("home, case officer", reverse("home:home"), officer),
        Page("home, association", reverse("home:home"), "applicant"),
        Page("home, council member", reverse("home:home"), "council_member"),
        Page("home, council chair", reverse("home:home"), "council_chair"),
        Page("home, committee (chair)", reverse("home:home"), "committee_chair"),
        Page("home, auditor", reverse("home:home"), "auditor"),
        Page("public call page", reverse("public:call", args=[slug, round_pk]), "", True),
        Page("grants register", reverse("public:register", args=[slug]), "", True),
        Page("grants register, JSON", reverse("public:register_json", args=[slug]), "", True),
        Page("grants register, CSV", reverse("public:register_csv", args=[slug]), "", True),
    ]


# accounts.signals.TWO_FACTOR_REQUIRED (benchmarks may not import accounts; a test holds
# the two equal: tests/benchmarks/test_bare_page.py)
TWO_FACTOR_REQUIRED = "puljeflow_2fa_required"


def sign_in(client: Any, user: Any) -> None:
    """A session as after a full sign-in, the second factor given (not switched off): the
    pages' flag, and for staff the authenticator app's device in the session as
    django-otp leaves it (the API asks for a verified session where the municipality
    requires two-factor login, as the generated municipalities do)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    session = client.session
    session[TWO_FACTOR_REQUIRED] = False
    if user.staff_roles.exists():
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def summary(result: dict[str, Any]) -> dict[str, Any]:
    if result["status"] != 200:
        return {"status": result["status"]}
    times = sorted(result["times"])
    return {
        "status": 200,
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "queries": max(result["queries"]),
        # the database's share, as Django timed each statement (round trip included)
        "sql_p50_ms": round(statistics.median(result["sql"]), 1),
        "queries_vary": len(set(result["queries"])) > 1,
        "bytes": result["bytes"],
    }


def _frame_write(sql: str) -> bool:
    """The session's idle stamp, rewritten once a minute by whichever request comes
    (accounts/sessions.py): BEGIN, an UPDATE of django_session, COMMIT. Every page pays it
    in turn; counted in, it would make a page's query count vary with the clock. (The
    pages only read: any other transaction control is left out with it.)"""
    head = sql.lstrip()[:40].upper()
    return head.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")) or (
        "django_session" in sql and not head.startswith("SELECT")
    )


class Server:
    """The pages of one database, each with its signed-in client (in a child process)."""

    def __init__(self) -> None:
        from django.conf import settings
        from django.test import Client
        from django.urls import clear_url_caches

        from benchmarks.national import _measured_objects

        settings.ROOT_URLCONF = "benchmarks.urls"
        clear_url_caches()
        objects = _measured_objects()
        self.pages = page_list(objects)
        self.clients: dict[str, Any] = {}
        for page in self.pages:
            if page.who not in self.clients:
                self.clients[page.who] = Client()
                if page.who:
                    sign_in(self.clients[page.who], objects[page.who])
        self.by_name = {p.name: p for p in self.pages}

    def get(self, name: str) -> Any:
        from django.core.cache import cache

        page = self.by_name[name]
        if page.public:
            cache.clear()
        return self.clients[page.who].get(page.url)

    def warm(self, name: str, n: int) -> None:
        for _ in range(n):
            self.get(name)

    def measure(self, name: str, n: int) -> dict[str, Any]:
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        page = self.by_name[name]
        client = self.clients[page.who]
        times, counts, sql, status, size = [], [], [], 200, 0
        for _ in range(n):
            if page.public:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(page.url)
                times.append((time.perf_counter() - started) * 1000)
            counts.append(sum(1 for q in queries.captured_queries if not _frame_write(q["sql"])))
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            status, size = response.status_code, len(response.content)
        return {"times": times, "queries": counts, "sql": sql, "status": status, "bytes": size}


def serve(database: str) -> None:
    """Answer JSON commands on stdin, one per line, with one ``@@``-marked line each."""
    from benchmarks.national import setup_django

    setup_django(database)
    server = Server()
    out: IO[str] = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write an answer line

    def answer(value: Any) -> None:
        out.write(MARK + json.dumps(value, default=str) + "\n")
        out.flush()

    answer({"pages": [p.describe() for p in server.pages], "database": database})
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "warm":
            server.warm(command["page"], command["n"])
            answer({})
        elif command["do"] == "measure":
            answer(server.measure(command["page"], command["n"]))
        else:
            answer({})
            return


class Child:
    def __init__(self, database: str) -> None:
        self.database = database
        self.process = subprocess.Popen(  # noqa: S603  (this script, with our own arguments)
            [sys.executable, __file__, "--serve", database],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.hello = self.read()

    def read(self) -> Any:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :])
        raise RuntimeError(f"the child for {self.database} ended")

    def ask(self, **command: Any) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> None:
        self.ask(do="quit")
        self.process.wait(timeout=60)


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("inf")


def goals_of(pages: list[dict[str, Any]], small: str, large: str) -> list[dict[str, Any]]:
    goals: list[dict[str, Any]] = []
    for page in pages:
        s, lg = page[small], page[large]
        name = page["name"]
        if s["status"] != 200 or lg["status"] != 200:
            goals.append(
                {"goal": f"page answers, {name}", "measured": f"HTTP {s['status']}/"
                 f"{lg['status']}", "limit": "200", "pass": False}
            )  # fmt: skip
            continue
        if name == BARE:
            continue
        p95 = _ratio(lg["p95_ms"], s["p95_ms"])
        goals.append(
            {"goal": f"p95 {large}/{small}, {name}", "measured": f"{p95}×",
             "limit": f"≤ {P95_LIMIT}×", "pass": p95 <= P95_LIMIT}
        )  # fmt: skip
        floor = max(_ratio(page[k]["p50_ms"], page[f"floor {k}"]) for k in (small, large))
        goals.append(
            {"goal": f"median/bare, {name}", "measured": f"{floor}×",
             "limit": f"≤ {FLOOR_LIMIT}×", "pass": floor <= FLOOR_LIMIT}
        )  # fmt: skip
        constant = s["queries"] == lg["queries"] and not (s["queries_vary"] or lg["queries_vary"])
        goals.append(
            {"goal": f"queries constant, {name}", "measured": f"{s['queries']} / {lg['queries']}",
             "limit": "equal", "pass": constant}
        )  # fmt: skip
    return goals


def run(
    small_db: str, large_db: str, rounds: int, batch: int, only: list[str] | None = None
) -> dict[str, Any]:
    started_load = os.getloadavg()
    print(f"load average at start: {started_load}", flush=True)
    sizes = {"small": small_db, "large": large_db}
    small, large = (small_db.rsplit("_", 1)[-1], large_db.rsplit("_", 1)[-1])
    if small == large:
        small, large = "small", "large"
    children = {small: Child(small_db), large: Child(large_db)}
    names = [
        p["name"]
        for p in children[small].hello["pages"]
        if not only or p["name"] == BARE or any(o in p["name"] for o in only)
    ]
    pages = []
    try:
        for name in names:
            for child in children.values():
                child.ask(do="warm", page=name, n=WARMUP)
            collected: dict[str, dict[str, Any]] = {}
            for r in range(rounds):
                order = list(children) if r % 2 == 0 else list(reversed(children))
                for key in order:
                    got = children[key].ask(do="measure", page=name, n=batch)
                    into = collected.setdefault(key, {"times": [], "queries": [], "sql": []})
                    for part in ("times", "queries", "sql"):
                        into[part] += got[part]
                    into["status"], into["bytes"] = got["status"], got["bytes"]
                    if name != BARE:
                        # The floor again, beside this page's batch: the load of the
                        # moment is in both (the machine's load swings within a run).
                        floor = children[key].ask(do="measure", page=BARE, n=batch // 2)
                        collected.setdefault(f"floor {key}", {"times": []})["times"] += floor[
                            "times"
                        ]
            entry: dict[str, Any] = {
                "name": name,
                "url": next(p["url"] for p in children[small].hello["pages"] if p["name"] == name),
            }
            for key, got in collected.items():
                if key.startswith("floor "):
                    entry[key] = round(statistics.median(got["times"]), 1)
                else:
                    entry[key] = summary(got)
            pages.append(entry)
            print(
                f"  {name}: "
                + "; ".join(
                    f"{k} {v.get('p50_ms')} / {v.get('p95_ms')} ms ({v.get('queries')}, "
                    f"SQL {v.get('sql_p50_ms')} ms)"
                    for k, v in entry.items()
                    if isinstance(v, dict)
                ),
                flush=True,
            )
    finally:
        for child in children.values():
            child.close()
    ended_load = os.getloadavg()
    print(f"load average at end: {ended_load}", flush=True)
    return {
        "benchmark": "pages against the floor, two sizes interleaved (benchmarks/pages.py)",
        "databases": sizes,
        "sizes": [small, large],
        "warmup_per_page_and_size": WARMUP,
        "requests_per_page_and_size": rounds * batch,
        "batch": batch,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "loadavg": [list(started_load), list(ended_load)],
        "pages": pages,
        "goals": goals_of(pages, small, large),
    }


def print_report(report: dict[str, Any]) -> None:
    small, large = report["sizes"]
    bare = next(p for p in report["pages"] if p["name"] == BARE)
    print(f"\nPages: p50 / p95 ms (queries), {report['requests_per_page_and_size']} requests")
    width = max(len(p["name"]) for p in report["pages"])
    print(f"{'page':<{width}}  {small:>22}  {large:>22}  p95 ratio  median/bare")
    for page in report["pages"]:
        cells = []
        for key in (small, large):
            v = page[key]
            cells.append(
                f"{v['p50_ms']} / {v['p95_ms']} ({v['queries']})"
                if v["status"] == 200
                else f"HTTP {v['status']}"
            )
        ratio = floor = ""
        if page[small]["status"] == page[large]["status"] == 200:
            ratio = f"{_ratio(page[large]['p95_ms'], page[small]['p95_ms'])}×"
            floor = " / ".join(
                f"{_ratio(page[k]['p50_ms'], page.get(f'floor {k}', bare[k]['p50_ms']))}×"
                for k in (small, large)
            )
        print(f"{page['name']:<{width}}  {cells[0]:>22}  {cells[1]:>22}  {ratio:>9}  {floor}")
    print("\nGoals (issue 19, goal 3)")
    for goal in report["goals"]:
        verdict = "PASS" if goal["pass"] else "FAIL"
        print(f"  {verdict}  {goal['goal']}: {goal['measured']} (limit {goal['limit']})")
    print(f"load average: {report['loadavg'][0]} → {report['loadavg'][1]}")


def profile(database: str, name: str, n: int) -> None:
    """cProfile of ``n`` requests of one page (after the warm-up), the top 30 by cumulative."""
    import cProfile
    import pstats

    from benchmarks.national import setup_django

    setup_django(database)
    server = Server()
    server.warm(name, WARMUP)
    profiler = cProfile.Profile()
    profiler.enable()
    server.warm(name, n)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def explain(database: str, name: str, top: int) -> None:
    """The page's queries by time, and EXPLAIN (ANALYZE, BUFFERS) of the slowest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.national import setup_django

    setup_django(database)
    server = Server()
    server.warm(name, WARMUP)
    with CaptureQueriesContext(connection) as captured:
        server.get(name)
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    for q in queries:
        print(f"{float(q['time']) * 1000:8.2f} ms  {q['sql'][:160]}")
    with connection.cursor() as cursor:
        for q in queries[:top]:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            print("\n" + q["sql"])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve")
    parser.add_argument("--small", default=SMALL)
    parser.add_argument("--large", default=LARGE)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--only", action="append", help="pages whose name contains this")
    parser.add_argument("--db", help="with --profile / --explain")
    parser.add_argument("--profile", metavar="PAGE")
    parser.add_argument("--explain", metavar="PAGE")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.serve:
        serve(args.serve)
    elif args.profile:
        profile(args.db, args.profile, 30)
    elif args.explain:
        explain(args.db, args.explain, 5)
    else:
        report = run(args.small, args.large, args.rounds, args.batch, args.only)
        print_report(report)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
