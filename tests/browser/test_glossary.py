"""The Danish a person reads in the browser follows the glossary (docs/glossary.md).

tests/test_glossary.py checks the catalogues; this reads the pages as rendered — the
catalogue's texts and whatever a template adds around them — for each role of the demo,
at desktop and phone width, in chromium with a Danish locale.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.test_glossary import ENGLISH_QUOTES, SECOND_PERSON_SINGULAR, WORD_EDGE, _wrong_variants

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# What the frame and the screens write: headings, labels, buttons, table heads, help and
# messages. Not what people typed (titles, purposes), which is theirs to word.
SCREEN_TEXT = """() => [...document.querySelectorAll(
    'header nav, main h1, main h2, main h3, main label, main legend, main button, main th, '
    + 'main dt, main .form-hint, main .alert, main .pf-muted, footer'
)].map(e => e.innerText).join('\\n')"""


def _page(browser: Any, width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def _problems(text: str, *, to_an_association: bool) -> list[str]:
    found = [
        f"»{variant}« (use »{term}«)"
        for variant, term in _wrong_variants().items()
        if re.search(WORD_EDGE.format(re.escape(variant).replace(r"\ ", r"\s+")), text, re.I)
    ]
    found += [f"English quotes: {m[0]}" for m in ENGLISH_QUOTES.finditer(text)]
    if to_an_association:
        found += [f"»{m[0]}« to an association" for m in SECOND_PERSON_SINGULAR.finditer(text)]
    return found


def _read(page: Any, base: str, path: str) -> str:
    page.goto(base + path)
    page.wait_for_selector("main h1")
    assert page.evaluate("document.documentElement.lang") == "da"
    return str(page.evaluate(SCREEN_TEXT))


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_an_association_reads_one_term_per_concept_and_is_called_i(
    demo_server: str, browser: Any, width: int, height: int
) -> None:
    page = _page(browser, width, height)
    login(page, demo_server, "applicant_b")  # Besøgsvennerne: cases in earlier rounds
    text = _read(page, demo_server, "/applications/")
    cases = page.eval_on_selector_all(
        "main table a[href*='/applications/']", "links => links.map(a => a.pathname)"
    )
    assert cases, "the demo association has applications"
    for path in [*cases[:3], "/notifications/", "/flow/"]:
        text += "\n" + _read(page, demo_server, path)

    assert "Mine ansøgninger" in text and "Meddelelser" in text  # it read Danish pages
    assert _problems(text, to_an_association=True) == []
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_a_case_officer_reads_one_term_per_concept(
    demo_server: str, browser: Any, width: int, height: int
) -> None:
    page = _page(browser, width, height)
    login(page, demo_server, "caseofficer")
    text = _read(page, demo_server, "/rounds/")
    inboxes = page.eval_on_selector_all(
        "main table a[href*='/rounds/']", "links => links.map(a => a.pathname)"
    )
    for path in [*inboxes[:1], "/usage-reports/", "/notifications/", "/flow/"]:
        text += "\n" + _read(page, demo_server, path)

    assert "Ansøgningsrunder" in text and "Afrapporteringer" in text
    assert _problems(text, to_an_association=False) == []
    page.context.close()
