""" "Mine opgaver" in chromium: every role signs in and lands on its home, at desktop and
phone width, with no WCAG 2.1 A/AA finding; the council member reaches the assessment
sheet in one click from home."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import login, logout
from .test_accessibility import violations
from .test_bulk_decision import demo_var_dir, manage_shell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SIZES = [(1366, 900), (390, 844)]

# Two applications of Besøgsvennerne (no council member sits on its board) accepted and
# on the agenda of a council meeting ten days from now, a committee meeting after it.
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
association = Association.objects.get(cvr="10000017")
focus = FocusArea.objects.filter(round=grant_round).order_by("pk").first()
pdf = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
applications = []
for n in range(2):
    application = services.application_create(
        grant_round=grant_round, association=association, acting_user=users["applicant_b"],
        data={
            "title": f"Besøgsvenner på plejehjem {n + 1}", "purpose": "Færre ensomme ældre",
            "target_group": "Ældre på plejehjem", "activity_description": "Ugentlige besøg",
            "volunteers": 8, "amount_requested": Decimal("18000"), "declaration_correct": True,
        },
        focus_areas=[focus],
    )
    services.budget_lines_replace(
        application=application, acting_user=users["applicant_b"],
        lines=[("Transport", Decimal("18000"))],
    )
    for kind in grant_round.required_attachments:
        services.attachment_add(
            application=application, acting_user=users["applicant_b"], kind=kind,
            upload=SimpleUploadedFile(f"{kind}.pdf", pdf), content_type="application/pdf",
        )
    application = engine.perform(application, "submit", user=users["applicant_b"])
    applications.append(engine.perform(application, "accept", user=users["caseofficer"]))
day = datetime.date.today() + datetime.timedelta(days=10)
council = meeting_create(
    grant_round=grant_round, body=Body.COUNCIL, date=day,
    members_present=[users["council_member"], users["council_chair"]],
    acting_user=users["caseofficer"],
)
agenda_add(meeting=council, applications=applications, acting_user=users["caseofficer"])
meeting_create(
    grant_round=grant_round, body=Body.COMMITTEE, date=day + datetime.timedelta(days=14),
    members_present=[users["committee_chair"]], acting_user=users["caseofficer"],
)
print(json.dumps({"council": council.pk}))
"""


@pytest.fixture(scope="module")
def scene(demo_server: str, tmp_path_factory: Any) -> dict[str, Any]:
    return manage_shell(demo_var_dir(tmp_path_factory), SCENE)


@pytest.mark.parametrize(
    ("username", "section"),
    [
        ("applicant_a", "#association-"),
        ("caseofficer", "#case-officer"),
        ("council_member", "#council"),
        ("council_chair", "#council"),
        ("committee_chair", "#committee"),
        ("auditor", "#auditor"),
    ],
)
def test_each_role_lands_on_its_home(
    demo_server: str,
    browser: Any,
    scene: dict[str, Any],
    tmp_path_factory: Any,
    username: str,
    section: str,
) -> None:
    for width, height in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            login(page, demo_server, username)
            assert page.url == demo_server + "/"
            assert page.inner_text("main h1") == "Mine opgaver"
            selector = f"[id^='{section[1:]}']" if section.endswith("-") else section
            assert page.locator(selector).count() >= 1
            page.screenshot(
                path=str(tmp_path_factory.getbasetemp() / f"home-{username}-{width}.png"),
                full_page=True,
            )
            assert violations(page) == []
        finally:
            context.close()


def test_the_council_member_reaches_the_sheet_in_one_click(
    demo_server: str, page: Any, scene: dict[str, Any]
) -> None:
    login(page, demo_server, "council_member")
    link = page.locator(f"#sheet-{scene['council']}")
    assert link.locator(".pf-task-count").inner_text() == "2"
    link.click()
    page.wait_for_selector("main h1")
    assert page.url.endswith(f"/meetings/{scene['council']}/assess/")
    assert violations(page) == []
    logout(page)
    # The chair sees the meeting's readiness: no item has every assessment yet.
    login(page, demo_server, "council_chair")
    readiness = page.inner_text(f"#readiness-{scene['council']}")
    assert "0 af 2" in readiness or "0 of 2" in readiness  # the page's language follows chromium


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_case_officer_and_the_auditor_work_from_home(
    demo_server: str, browser: Any, scene: dict[str, Any], width: int, height: int
) -> None:
    """One click from each home to where the work is done: the usage report to review,
    a recent decision's trail; each page without a WCAG 2.1 A/AA finding."""
    for username in ("caseofficer", "auditor"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            login(page, demo_server, username)
            if username == "caseofficer":
                page.click("#case-officer a.pf-task-link:has-text('Afrapportering')")
                page.wait_for_selector("main h1")
                assert page.url.endswith("/report/approve/")
            else:
                case_number = page.inner_text("#recent-decisions tbody tr:first-child a")
                page.click("#recent-decisions tbody tr:first-child a")
                page.wait_for_selector("main h1")
                assert page.url.endswith("/trail/") and case_number in page.inner_text("main h1")
            assert violations(page) == []
        finally:
            context.close()
