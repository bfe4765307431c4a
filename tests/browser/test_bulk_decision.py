"""The committee's bulk decision page in chromium, reached from the chair's home: live totals,
one bad row, then success.

The demo data has no applications, so the scene (three applications recommended by
the council and on a committee meeting's agenda) is set through the demo server's own
database: ``manage.py shell`` with the environment the ``demo_server`` fixture uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, login
from .test_accessibility import violations

# One xdist worker for the browser tests: one demo server and chromium, and the
# modules run in their order on its shared database (conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCENE = r"""
import datetime, json
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from cases.services import applications as services
from cases.services.meetings import agenda_add, meeting_create
from cases.models import Association, Body, FocusArea, GrantRound
from workflows import engine

users = {u.username: u for u in get_user_model().objects.all()}
grant_round = GrantRound.objects.get(name="§ 18-puljen (demo)")
association = Association.objects.get(cvr="10000017")  # Besøgsvennerne: no council conflicts
focus = FocusArea.objects.filter(round=grant_round).order_by("pk").first()
pdf = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
applications = []
for n in range(3):
    application = services.application_create(
        grant_round=grant_round, association=association, acting_user=users["applicant_b"],
        data={
            "title": f"Besøgsvenner i bydel {n + 1}", "purpose": "Færre ensomme ældre",
            "target_group": "Ældre over 70", "activity_description": "Ugentlige besøg",
            "volunteers": 10, "amount_requested": Decimal("25000"), "declaration_correct": True,
        },
        focus_areas=[focus],
    )
    services.budget_lines_replace(
        application=application, acting_user=users["applicant_b"],
        lines=[("Kaffe og kage", Decimal("15000")), ("Transport", Decimal("10000"))],
    )
    for kind in grant_round.required_attachments:
        services.attachment_add(
            application=application, acting_user=users["applicant_b"], kind=kind,
            upload=SimpleUploadedFile(f"{kind}.pdf", pdf), content_type="application/pdf",
        )
    application = engine.perform(application, "submit", user=users["applicant_b"])
    application = engine.perform(application, "accept", user=users["caseofficer"])
    applications.append(application)
day = datetime.date.today() - datetime.timedelta(days=20)  # held: decisions only from its day
council = meeting_create(
    grant_round=grant_round, body=Body.COUNCIL, date=day,
    members_present=[users["council_member"], users["council_chair"]],
    acting_user=users["caseofficer"],
)
agenda_add(meeting=council, applications=applications, acting_user=users["caseofficer"])
recommended = [
    engine.perform(
        a, "recommend", user=users["council_chair"], meeting=council,
        outcome="partial", amount="20000", reason="Puljen er begrænset",
    )
    for a in applications
]
committee = meeting_create(
    grant_round=grant_round, body=Body.COMMITTEE, date=day + datetime.timedelta(days=14),
    members_present=[users["committee_chair"]], acting_user=users["caseofficer"],
)
agenda_add(meeting=committee, applications=recommended, acting_user=users["caseofficer"])
print(json.dumps({"meeting": committee.pk, "applications": [a.pk for a in recommended]}))
"""

STATUSES = r"""
import json
from cases.models import Application
print(json.dumps(dict(Application.objects.filter(pk__in={pks}).values_list("pk", "status"))))
"""


def demo_var_dir(tmp_path_factory: Any) -> Path:
    """The ``var`` directory of the session's demo server (the fixture keeps it to itself)."""
    # mktemp("var") makes var0 and a "varcurrent" link to it.
    # Other modules' servers have var directories of their own ("var-session0", …): not these.
    found = {
        log.parent.resolve()
        for log in tmp_path_factory.getbasetemp().glob("var*/web.log")
        if log.parent.name.removeprefix("var").isdigit() or log.parent.name == "varcurrent"
    }
    if len(found) != 1:
        pytest.fail(f"expected the demo server's one var directory, found {found}")
    return found.pop()


def manage_shell(var: Path, code: str) -> Any:
    """Run Python in ``manage.py shell`` against the demo server's database; its last line is JSON."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PULJEFLOW_VAR_DIR=str(var), DJANGO_DEBUG="0", PULJEFLOW_FAST_PASSWORDS="1")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_committee_chair_decides_the_agenda_on_the_bulk_page(
    demo_server: str, page: Any, tmp_path_factory: Any
) -> None:
    var = demo_var_dir(tmp_path_factory)
    scene = manage_shell(var, SCENE)
    first, second, third = scene["applications"]

    login(page, demo_server, "committee_chair")
    danish = page.locator("header button[name=language][value=da]")
    if danish.count():  # chromium asks for English; the committee works in Danish
        danish.click()
        page.wait_for_selector("html[lang=da]")
    # From home: the meeting was held and its decisions are not recorded yet, so it is
    # there, one click from the bulk page.
    page.goto(f"{demo_server}/")
    page.click(f"#committee a[href='/meetings/{scene['meeting']}/bulk/']")
    page.wait_for_selector("#bulk-submit")
    # Filled in with the council's recommendation: three partial grants of 20.000 kr.
    assert page.input_value(f"#id_row-{first}-outcome") == "grant"
    assert page.inner_text("#total-entered").startswith("60.000,00 ")
    assert violations(page) == []

    # The totals follow the typing (static/js/bulk.js), in Danish notation.
    page.fill(f"#id_row-{first}-amount", "15.000")
    # Cuts without a hearing: the page's one § 19 ground (workflows/hearing.py).
    page.select_option("#id_hearing_exception", "own_information")
    page.fill("#id_hearing_exception_reason", "Afgørelsen bygger alene på ansøgningerne.")
    page.wait_for_function(
        "document.getElementById('total-entered').textContent.startsWith('55.000,00 ')"
    )
    assert page.inner_text("#total-remaining").startswith("270.000,00 ")  # 325.000 - 55.000

    # One bad row: less than requested without reasons. Nothing is saved; the row says why.
    page.fill(f"#id_row-{second}-reason", "")
    page.click("#bulk-submit")
    page.wait_for_selector("#bulk-errors")
    assert page.locator(f"#bulk-errors a[href='#row-{second}']").count() == 1
    assert page.locator(f"#row-{second} .form-error-message").count() == 1
    assert page.locator(f"#row-{first} .form-error-message").count() == 0
    # What the chair typed is kept, and the server's totals agree with the script's.
    assert page.input_value(f"#id_row-{first}-amount") in ("15000", "15000,00", "15.000")
    assert page.inner_text("#total-entered").startswith("55.000,00 ")
    assert violations(page) == []
    statuses = manage_shell(var, STATUSES.format(pks=scene["applications"]))
    assert set(statuses.values()) == {"recommended"}

    page.fill(f"#id_row-{second}-reason", "Som indstillet af Frivillighedsrådet")
    page.click("#bulk-submit")
    page.wait_for_selector(".alert-success")
    assert "3" in page.inner_text(".alert-success")
    statuses = manage_shell(var, STATUSES.format(pks=scene["applications"]))
    assert statuses == {str(pk): "granted" for pk in (first, second, third)}
