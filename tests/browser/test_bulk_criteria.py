"""The council's bulk page in chromium: each row cites the round's criteria, as the single
recommendation does; the page stays accessible with them, and the record holds them."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import login
from .test_accessibility import violations
from .test_bulk_decision import SCENE, demo_var_dir, manage_shell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The bulk decision's scene up to the council's meeting, with nothing recommended yet.
COUNCIL_SCENE = (
    SCENE.split("recommended = [", 1)[0]
    + r"""
from cases.models import RoundCriterion
criteria = list(RoundCriterion.objects.filter(round=grant_round).order_by("position", "id"))
print(json.dumps({
    "meeting": council.pk,
    "applications": [a.pk for a in applications],
    "criteria": [c.pk for c in criteria],
}))
"""
)

PAYLOADS = r"""
import json
from cases.trail.models import TransitionRecord
records = TransitionRecord.objects.filter(application_id__in={pks}, transition="recommend")
print(json.dumps({{r.application_id: r.payload.get("criteria") for r in records}}))
"""


def test_the_council_chair_cites_criteria_per_row_on_the_bulk_page(
    demo_server: str, page: Any, tmp_path_factory: Any
) -> None:
    var = demo_var_dir(tmp_path_factory)
    scene = manage_shell(var, COUNCIL_SCENE)
    first, second, third = scene["applications"]
    criteria = scene["criteria"]
    assert len(criteria) >= 2, "the demo round has criteria (seed_demo)"

    login(page, demo_server, "council_chair")
    page.goto(f"{demo_server}/meetings/{scene['meeting']}/bulk/")
    for application in (first, second, third):
        assert page.locator(f"input[name='row-{application}-criteria']").count() == len(criteria)
    assert violations(page) == []

    page.select_option(f"#id_row-{first}-outcome", "grant")
    page.check(f"input[name='row-{first}-criteria'][value='{criteria[1]}']")
    page.select_option(f"#id_row-{second}-outcome", "refuse")  # no reasons: refused
    page.check(f"input[name='row-{second}-criteria'][value='{criteria[0]}']")
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / "bulk-criteria.png"), full_page=True)
    page.click("#bulk-submit")
    page.wait_for_selector("#bulk-errors")
    # Nothing saved; what was ticked is still ticked.
    assert page.is_checked(f"input[name='row-{first}-criteria'][value='{criteria[1]}']")
    assert page.is_checked(f"input[name='row-{second}-criteria'][value='{criteria[0]}']")
    assert violations(page) == []
    assert manage_shell(var, PAYLOADS.format(pks=[first, second])) == {}

    page.fill(f"#id_row-{second}-reason", "Ligger uden for puljens formål")
    page.click("#bulk-submit")
    page.wait_for_selector(".alert-success")
    assert manage_shell(var, PAYLOADS.format(pks=[first, second, third])) == {
        str(first): [criteria[1]],
        str(second): [criteria[0]],
    }
