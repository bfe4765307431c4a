"""Issue 17, item 2 (the session half): a warning before the session ends, a way to stay,
and after a new login the page the person was on, with what they typed (the keeping of
the text itself is static/js/session.js; tests/browser/test_session.py drives it).
Also item 6's print style: linked on every page, a print button on the case and the trail."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "pw"  # the test factory's password
IDLE = 30 * 60


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.PULJEFLOW_SESSION_IDLE_SECONDS = IDLE
    settings.PULJEFLOW_SESSION_MAX_SECONDS = 12 * 3600


def _login(client: Client, username: str, **data: str) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD, **data}
    )


def _next_of(response: Any) -> str:
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts:login")
    return parse_qs(location.query)["next"][0]


def test_a_signed_in_page_tells_the_script_how_long_the_session_has(world: Any) -> None:
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        _login(client, "carl")
    with time_machine.travel(start + datetime.timedelta(seconds=50), tick=False):
        response = client.get(reverse("inbox:staff_rounds"))
    page = response.content.decode()
    assert f'data-session-left="{IDLE - 50}"' in page
    assert 'data-session-warn="60"' in page
    assert f'data-session-stay-url="{reverse("accounts:session_stay")}"' in page
    assert 'id="pf-session-warning"' in page and "Du bliver logget af om" in page
    # The script fills in how long is really left, in these words.
    assert 'data-minute="1 minut" data-minutes="{count} minutter"' in page
    assert 'data-second="1 sekund" data-seconds="{count} sekunder"' in page
    assert "Forbliv logget ind" in page
    assert re.search(r'<script src="[^"]*js/session\.js" defer>', page)
    assert response["X-Session-Remaining"] == str(IDLE - 50)
    # Signed out: no count, no warning.
    login_page = Client().get(reverse("accounts:login")).content.decode()
    assert "data-session-left" not in login_page and "pf-session-warning" not in login_page


def test_the_warning_comes_sooner_under_a_short_limit(world: Any, settings: Any) -> None:
    settings.PULJEFLOW_SESSION_IDLE_SECONDS = 30
    client = Client()
    _login(client, "carl")
    page = client.get(reverse("inbox:staff_rounds")).content.decode()
    assert 'data-session-warn="10"' in page


def test_stay_logged_in_starts_the_idle_limit_again(world: Any) -> None:
    start = timezone.now()
    stays, leaves = Client(), Client()
    with time_machine.travel(start, tick=False):
        _login(stays, "carl")
        _login(leaves, "carl")
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        answer = stays.post(reverse("accounts:session_stay"))
    assert answer.status_code == 200
    assert answer.json() == {"remaining": IDLE}
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        assert stays.get(reverse("inbox:staff_rounds")).status_code == 200
        # The same wait without "stay" ends the session: the stay did it.
        assert leaves.get(reverse("inbox:staff_rounds")).status_code == 302


def test_stay_after_the_end_says_so_and_a_get_is_refused(world: Any) -> None:
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        _login(client, "carl")
        assert client.get(reverse("accounts:session_stay")).status_code == 405
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        answer = client.post(reverse("accounts:session_stay"))
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Din session er udløbet. Log ind igen for at fortsætte."}
    assert Client().post(reverse("accounts:session_stay")).status_code == 401


def test_stay_needs_the_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.carl)
    assert client.post(reverse("accounts:session_stay")).status_code == 403


def test_a_form_sent_into_an_ended_session_leads_back_to_its_page_after_login(
    world: Any,
) -> None:
    application = ApplicationFactory(round=world.round, association=world.a)
    page = reverse("applications:application_edit", args=[application.pk])
    attachments = application.attachments.count()
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        _login(client, "anna")
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        # The upload form posts elsewhere; the person was on the edit page.
        sent = client.post(
            reverse("applications:attachment_upload", args=[application.pk]),
            {"description": "Budget"},
            headers={"referer": f"http://testserver{page}?step=2#budget"},
        )
        assert sent.status_code == 302
        assert _next_of(sent) == f"{page}?step=2"
        # Nothing was saved as anonymous on the way.
        assert application.attachments.count() == attachments
        back = _login(client, "anna", next=_next_of(sent))
    assert back.status_code == 302 and back["Location"] == f"{page}?step=2"


def test_without_a_referer_of_this_site_the_form_address_is_the_way_back(world: Any) -> None:
    application = ApplicationFactory(round=world.round, association=world.a)
    target = reverse("applications:application_edit", args=[application.pk])
    start = timezone.now()
    for referer in ({}, {"referer": "https://evil.example/phish"}):
        client = Client()
        with time_machine.travel(start, tick=False):
            _login(client, "anna")
        with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
            sent = client.post(target, {"title": "Ny titel"}, headers=referer)
        assert _next_of(sent) == target


def test_an_htmx_request_into_an_ended_session_gets_401_not_the_login_page(world: Any) -> None:
    application = ApplicationFactory(round=world.round, association=world.a)
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        _login(client, "anna")
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        sent = client.post(
            reverse("applications:application_edit", args=[application.pk]),
            {"title": "Ny titel"},
            headers={"hx-request": "true"},
        )
    assert sent.status_code == 401
    assert sent["HX-Trigger"] == "pf-session-ended"


def test_signing_in_and_out_and_the_language_go_on_in_an_ended_session(world: Any) -> None:
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        _login(client, "anna")
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        again = _login(client, "anna", next="/da/")
        assert again.status_code == 302 and again["Location"] == "/da/"


def test_every_form_that_takes_typed_text_is_marked_for_keeping() -> None:
    """A new POST form is kept through a new login unless it is on this list on purpose."""
    not_kept = {
        # passwords and codes are never kept; buttons without typed text need nothing
        "registration/login.html",
        "accounts/otp_setup.html",
        "accounts/otp_verify.html",
        "templates/base.html",  # log out, language
        "notifications/notification_detail.html",
        "notifications/notification_list.html",
        "notifications/notification_preferences.html",  # checkboxes only
        "meetings/detail.html",  # putting cases on the agenda: choices only
        "inbox/_table.html",  # assigning ticked cases: a choice
        "inbox/_assignment.html",  # assigning a case: a choice
        "audit/round_export.html",  # ordering the round's export: a button
        "applications/draft_step.html:attachment_delete",  # a button
        "applications/draft_review.html:submit-form",  # submitting: the answers are saved
    }
    missing = []
    for template in [*ROOT.glob("web/**/templates/**/*.html"), ROOT / "templates/base.html"]:
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*>", text):
            if 'method="post"' not in form or "data-keep-input" in form:
                continue
            name = str(template.relative_to(ROOT))
            if any(name.endswith(n.split(":")[0]) for n in not_kept if ":" not in n) or any(
                name.endswith(n.split(":")[0]) and n.split(":")[1] in form
                for n in not_kept
                if ":" in n
            ):
                continue
            missing.append(f"{name}: {form}")
    assert missing == []


# --- print -----------------------------------------------------------------------------------


def test_the_print_style_is_served_and_linked_from_every_page(world: Any, as_user: Any) -> None:
    application = ApplicationFactory(round=world.round, association=world.a)
    case_page = as_user(world.carl).get(
        reverse("applications:application_detail", args=[application.pk])
    )
    trail_page = as_user(world.carl).get(reverse("audit:application_trail", args=[application.pk]))
    for response in (case_page, trail_page):
        page = response.content.decode()
        assert response.status_code == 200
        assert re.search(r'<link rel="stylesheet" href="[^"]*css/app\.css">', page)
        assert re.search(r"<button [^>]*data-print hidden>Udskriv</button>", page)
    stylesheet = Path(str(finders.find("css/app.css"))).read_text(encoding="utf-8")
    printed = stylesheet[stylesheet.index("@media print") :]
    assert re.search(r"\.pf-header[^{]*\{ display: none !important; \}", printed)
    assert "break-inside: avoid" in printed
