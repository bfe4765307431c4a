"""The allocation assistant in chromium: the council's chair lets it fit twelve items to
the pool, fixes two amounts and sees the rest move, adopts the proposal into the bulk
page, records, and the minutes PDF names the method and the two changes."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest

from .conftest import login
from .test_accessibility import violations
from .test_bulk_decision import SCENE, demo_var_dir, manage_shell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The bulk decision's scene up to the council's meeting, with twelve applications of
# different sizes (30.000–52.000 kr., 492.000 kr. in all: more than the demo pool).
TWELVE = (
    SCENE.split("recommended = [", 1)[0]
    .replace("for n in range(3):", "for n in range(12):")
    .replace(
        '"amount_requested": Decimal("25000")', '"amount_requested": Decimal(30000 + 2000 * n)'
    )
    .replace('("Kaffe og kage", Decimal("15000"))', '("Kaffe og kage", Decimal(20000 + 2000 * n))')
    + r"""
print(json.dumps({
    "meeting": council.pk,
    "applications": [a.pk for a in applications],
    "cases": {a.pk: a.case_number for a in applications},
}))
"""
)

PAYLOADS = r"""
import json
from cases.trail.models import TransitionRecord
records = TransitionRecord.objects.filter(application_id__in={pks}, transition="recommend")
print(json.dumps({{r.application_id: r.payload.get("allocation") for r in records}}))
"""


def proposal(page: Any, pk: int) -> str:
    return page.inner_text(f"#allocation-proposed-{pk}").split("\n")[0].strip()


def test_the_council_chair_fits_twelve_items_to_the_pool(
    demo_server: str, page: Any, tmp_path_factory: Any
) -> None:
    var = demo_var_dir(tmp_path_factory)
    scene = manage_shell(var, TWELVE)
    pks = scene["applications"]
    assert len(pks) == 12
    shots = tmp_path_factory.getbasetemp()

    login(page, demo_server, "council_chair")
    danish = page.locator("header button[name=language][value=da]")
    if danish.count():  # chromium asks for English; the council works in Danish
        danish.click()
        page.wait_for_selector("html[lang=da]")
    # From the meeting page to the assistant.
    page.goto(f"{demo_server}/meetings/{scene['meeting']}/")
    page.click(f"a[href='/meetings/{scene['meeting']}/allocation/']")
    page.wait_for_selector("#allocation-table")
    assert page.locator("#allocation-table tbody tr").count() == 12
    assert violations(page) == []
    # Pro rata: every item cut by the same share, in whole hundreds.
    before = {pk: proposal(page, pk) for pk in pks}
    assert all(re.fullmatch(r"[\d.]+00,00 kr\.", amount) for amount in before.values()), before

    # The chair fixes two amounts: the first in full, the second refused; the rest moves.
    first, second, third = pks[0], pks[1], pks[2]
    page.fill(f"#id_fix-{first}", "30.000")
    page.fill(f"#id_fix-{second}", "0")
    page.locator(f"#id_fix-{second}").blur()
    page.wait_for_function(
        "([id, was]) => !document.getElementById(id).innerText.startsWith(was)",
        arg=[f"allocation-proposed-{third}", before[third]],
    )
    assert proposal(page, first) == "30.000,00 kr."
    assert proposal(page, second) == "0,00 kr."
    assert proposal(page, third) != before[third]
    page.screenshot(path=str(shots / "allocation-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(shots / "allocation-mobile.png"), full_page=True)
    assert violations(page) == []
    page.set_viewport_size({"width": 1366, "height": 900})

    # »Beregn« without the script gives the same numbers (the server's own page).
    moved = {pk: proposal(page, pk) for pk in pks}
    page.click("#allocation-calculate")
    page.wait_for_selector("#allocation-table")
    assert {pk: proposal(page, pk) for pk in pks} == moved
    assert page.input_value(f"#id_fix-{first}") == "30.000"

    # Adopt: the bulk page opens filled in with the proposal.
    page.click("#allocation-adopt")
    page.wait_for_selector("#bulk-allocation")
    assert page.input_value(f"#id_row-{first}-outcome") == "grant"
    assert page.input_value(f"#id_row-{second}-outcome") == "refuse"
    assert page.input_value(f"#id_row-{third}-outcome") == "partial"
    assert violations(page) == []
    page.screenshot(path=str(shots / "allocation-bulk.png"), full_page=True)
    page.click("#bulk-submit")
    page.wait_for_selector(".alert-success")

    payloads = manage_shell(var, PAYLOADS.format(pks=pks))
    assert len(payloads) == 12
    assert {p["method"] for p in payloads.values()} == {"pro_rata"}
    changed = {int(pk) for pk, p in payloads.items() if p["proposed"] != p["chosen"]}
    assert changed == {first, second}

    # The minutes PDF: the method and the two changes.
    response = page.request.get(f"{demo_server}/meetings/{scene['meeting']}/minutes.pdf")
    assert response.ok
    pdf = shots / "allocation-minutes.pdf"
    pdf.write_bytes(response.body())
    assert shutil.which("pdftotext"), "pdftotext is missing: install Debian's poppler-utils"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    squeezed = " ".join(text.split())
    assert "Fordeling" in squeezed
    assert "»Forholdsmæssig fordeling«" in squeezed
    assert "Beløb, der afviger fra forslaget" in squeezed
    changes = squeezed.split("Beløb, der afviger fra forslaget", 1)[1].split("Punkt 1:", 1)[0]
    assert scene["cases"][str(first)] in changes and scene["cases"][str(second)] in changes
    assert scene["cases"][str(third)] not in changes  # re-fitted, recorded as proposed
    assert "30.000,00 kr." in changes
