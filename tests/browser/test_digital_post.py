"""Digital Post in the demo, as `make run` starts it (the folder sender, no outside service):
the letters the demo's flow wrote are delivered by the sweep (what beat runs) as MeMo
messages in var/digital_post/out, and the association's person sees on the case page, in
Danish, when each letter went to its Digital Post. axe-clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from .conftest import ROOT, login, serve_demo
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NS = "{https://DigitalPost.dk/MeMo-1}"

# Run in the demo server's environment: deliver what is due (as beat's sweep does), then
# name the case with a repayment claim and its letters.
SWEEP = """
import json
from notifications.delivery import sweep_due
from cases.models import Application, DocumentKind
sweep_due(budget=600)
case = Application.objects.get(documents__kind=DocumentKind.REPAYMENT_CLAIM)
print(json.dumps({"pk": case.pk, "letters": [d.title for d in case.documents.all()]}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: Any) -> Iterator[tuple[str, Path]]:
    var = tmp_path_factory.mktemp("var-digital-post")
    with serve_demo(var) as base:
        yield base, var


def swept(var: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(PULJEFLOW_VAR_DIR=str(var), PULJEFLOW_FAST_PASSWORDS="1")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SWEEP],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(params=[(1366, 900), (390, 844)], ids=["desktop", "phone"])
def danish_page(browser: Any, request: Any) -> Iterator[Any]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_demos_letters_reach_digital_post_and_the_case_page_says_when(
    demo: tuple[str, Path], danish_page: Any
) -> None:
    base, var = demo
    page = danish_page
    case = swept(var)

    labels = []
    for path in sorted((var / "digital_post" / "out").glob("*.xml")):
        header = ET.fromstring(path.read_bytes()).find(f"{NS}MessageHeader")  # noqa: S314  # nosec B314
        assert header is not None and header.findtext(f"{NS}messageUUID") == path.stem
        assert header.findtext(f"{NS}Sender/{NS}senderID") == "29189854"
        labels.append(header.findtext(f"{NS}label"))
    assert set(case["letters"]) <= set(labels)  # every letter of the case went

    login(page, base, "applicant_c")
    page.goto(f"{base}/applications/{case['pk']}/")
    items = page.locator("#documents li")
    assert items.count() == len(case["letters"])
    for i in range(items.count()):
        assert "Sendt til Digital Post " in items.nth(i).inner_text()
    assert violations(page) == []
