"""Bad input through the screens and the API (issue 15, items 4, 9, 10, 11): refused in
words — next to the field on a screen, a structured 400 in the API — never a 500, and
nothing changes.

Run with DATABASE_URL set, the same tables run on PostgreSQL (where a payment reference
beyond its column was a 500).
"""

from __future__ import annotations

import binascii
import datetime
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from api.models import ApiToken
from cases.models import Application, Association, ConflictDeclaration, Meeting
from tests.cases.test_applicant_screens import edit_post
from tests.conftest import advance
from web.accounts.views import SETUP_KEY

from .conftest import current_code, enrol

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
HUGE = "x" * 2_000_000
BAD_INTEGERS = pytest.mark.parametrize(
    "bad",
    ["²", "7" * 5000, "١٢", "-3", "1.5", " "],
    ids=["superscript", "5000-digits", "arabic-indic", "negative", "decimal", "blank"],
)
BAD_DATES = pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])


def state(application: Application) -> tuple[Any, ...]:
    application.refresh_from_db()
    return (application.status, application.version, application.purpose)


def logged_in(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def form_errors(response: Any, form: str = "form") -> dict[str, list[str]]:
    return dict(response.context[form].errors)


@pytest.fixture
def api() -> Any:
    """api(user) -> a client sending that user's token; api(None) -> no token."""
    cache.clear()  # DRF's throttle history lives in the cache

    def client_for(user: Any) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user)[1]}")
        return client

    yield client_for
    cache.clear()


@pytest.fixture
def submitted(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "submitted")


@pytest.fixture
def granted(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "granted")


# --- item 4: texts ---------------------------------------------------------------------------


def test_a_huge_withdrawal_reason_is_refused_next_to_its_field(
    world: SimpleNamespace, submitted: Application
) -> None:
    before = state(submitted)
    response = logged_in(world.anna).post(
        reverse("applications:application_act", args=[submitted.pk, "withdraw"]), {"reason": HUGE}
    )
    assert response.status_code == 400
    assert "at most 20000 characters" in form_errors(response)["reason"][0]
    assert state(submitted) == before


def test_a_huge_withdrawal_reason_is_a_400_in_the_api(
    world: SimpleNamespace, submitted: Application, api: Any
) -> None:
    before = state(submitted)
    response = api(world.anna).post(
        f"{BASE}/applications/{submitted.pk}/transitions/withdraw", {"reason": HUGE}, format="json"
    )
    assert response.status_code == 400
    assert "20000" in response.json()["reason"][0]
    assert state(submitted) == before


@pytest.mark.parametrize(
    "field", ["purpose", "target_group", "activity_description", "other_funding_note"]
)
def test_a_huge_text_in_the_draft_is_refused_on_the_screen(
    world: SimpleNamespace, draft: Application, field: str
) -> None:
    before = state(draft)
    response = logged_in(world.anna).post(
        reverse("applications:application_edit", args=[draft.pk]), edit_post(draft, **{field: HUGE})
    )
    assert response.status_code == 400
    assert "at most 20000 characters" in form_errors(response)[field][0]
    assert f'id="id_{field}-error"' in response.content.decode()
    assert state(draft) == before


def test_a_huge_text_in_the_draft_is_a_400_in_the_api(
    world: SimpleNamespace, draft: Application, api: Any
) -> None:
    before = state(draft)
    response = api(world.anna).patch(
        f"{BASE}/applications/{draft.pk}", {"purpose": "x" * 20_001}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["purpose"]
    assert state(draft) == before


def test_a_long_conflict_declaration_is_refused_alike_on_the_screen_and_in_the_api(
    world: SimpleNamespace, submitted: Application, api: Any
) -> None:
    reason = "x" * 20_001
    screen = logged_in(world.erik).post(
        reverse("council:conflict_declare", args=[submitted.pk]), {"reason": reason}
    )
    assert screen.status_code == 400
    assert b"at most 20000 characters" in screen.content
    response = api(world.erik).post(
        f"{BASE}/applications/{submitted.pk}/conflicts", {"reason": reason}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    assert not ConflictDeclaration.objects.filter(application=submitted).exists()


# --- item 9: integers ------------------------------------------------------------------------


@BAD_INTEGERS
def test_a_broken_seen_version_on_the_action_page_is_refused_in_words(
    world: SimpleNamespace, submitted: Application, bad: str
) -> None:
    before = state(submitted)
    response = logged_in(world.anna).post(
        reverse("applications:application_act", args=[submitted.pk, "withdraw"]),
        {"reason": "Vi trækker den", "seen_status": "submitted", "seen_version": bad},
    )
    assert response.status_code == 400
    assert "damaged" in form_errors(response)["__all__"][0]
    assert state(submitted) == before


@BAD_INTEGERS
def test_a_broken_seen_version_on_the_report_page_is_refused_in_words(
    world: SimpleNamespace, draft: Application, bad: str
) -> None:
    paid = advance(draft, world, "paid")
    before = state(paid)
    response = logged_in(world.anna).post(
        reverse("after_grant:report_submit", args=[paid.pk]),
        {
            "seen_version": bad,
            "description": "Lektiecafé",
            "participants_reached": "3",
            "volunteers_involved": "2",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "damaged" in form_errors(response)["__all__"][0]
    assert state(paid) == before


@BAD_INTEGERS
def test_a_broken_budget_line_in_the_report_is_refused_next_to_the_line(
    world: SimpleNamespace, draft: Application, bad: str
) -> None:
    paid = advance(draft, world, "paid")
    before = state(paid)
    response = logged_in(world.anna).post(
        reverse("after_grant:report_submit", args=[paid.pk]),
        {
            "description": "Lektiecafé",
            "participants_reached": "3",
            "volunteers_involved": "2",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-budget_line": bad,
            "lines-0-description": "Kaffe",
            "lines-0-spent": "100",
        },
    )
    assert response.status_code == 400
    assert response.context["formset"].errors[0] or response.context["lines_error"]
    assert state(paid) == before


@BAD_INTEGERS
def test_a_broken_focus_filter_on_the_decision_list_shows_the_whole_list(
    world: SimpleNamespace, granted: Application, bad: str
) -> None:
    response = logged_in(world.carl).get(
        reverse("audit:round_decisions", args=[world.round.pk]), {"focus": bad}
    )
    assert response.status_code == 200
    assert granted.case_number in response.content.decode()


@BAD_INTEGERS
def test_a_broken_association_for_a_paper_application_preselects_nothing(
    world: SimpleNamespace, bad: str
) -> None:
    response = logged_in(world.carl).get(
        reverse("inbox:paper_application_new", args=[world.round.pk]), {"association": bad}
    )
    assert response.status_code == 200
    assert response.context["form"].initial == {}


@BAD_INTEGERS
def test_a_broken_round_after_a_new_association_leads_to_the_association(
    world: SimpleNamespace, bad: str
) -> None:
    response = logged_in(world.carl).post(
        reverse("associations:association_new") + "?" + f"round={bad}",
        {
            "name": "Skakklubben",
            "cvr": "12345674",
            "address": "Torvet 1",
            "postal_code": "4000",
            "city": "Roskilde",
            "contact_person": "Kim",
            "email": "kim@example.org",
            "phone": "12345678",
        },
    )
    assert response.status_code == 302
    association = Association.objects.get(name="Skakklubben")
    assert response["Location"] == reverse(
        "associations:association_details", args=[association.pk]
    )


@BAD_INTEGERS
def test_a_broken_meeting_on_a_conflict_declaration_is_ignored(
    world: SimpleNamespace, submitted: Application, bad: str
) -> None:
    response = logged_in(world.erik).post(
        reverse("council:conflict_declare", args=[submitted.pk]) + "?" + f"meeting={bad}",
        {"reason": "Jeg sidder i bestyrelsen"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:application_detail", args=[submitted.pk])


@BAD_INTEGERS
def test_a_broken_two_factor_code_is_refused_next_to_the_field(
    world: SimpleNamespace, bad: str
) -> None:
    world.roskilde.require_two_factor = True
    world.roskilde.save()
    client = logged_in(world.carl)
    client.get(reverse("accounts:otp_setup"))
    response = client.post(
        reverse("accounts:otp_setup"), {"code": bad * 6 if len(bad) == 1 else bad}
    )
    assert response.status_code == 400
    assert form_errors(response)["code"]
    assert not world.carl.totpdevice_set.exists()


def test_a_right_code_in_other_digits_than_ascii_is_refused(world: SimpleNamespace) -> None:
    """``int()`` reads "١٢٣٤٥٦" as 123456; a code is six ASCII digits."""
    world.roskilde.require_two_factor = True
    world.roskilde.save()
    client = logged_in(world.carl)
    client.get(reverse("accounts:otp_setup"))
    key = client.session[SETUP_KEY]
    right = f"{TOTP(binascii.unhexlify(key)).token():06d}"
    arabic = right.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.post(reverse("accounts:otp_setup"), {"code": arabic})
    assert response.status_code == 400
    assert not world.carl.totpdevice_set.exists()
    device = enrol(world.bo)
    from accounts import two_factor

    code = current_code(device).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert not two_factor.verify(world.bo, code)


@BAD_INTEGERS
def test_a_broken_integer_is_a_400_in_the_api(
    world: SimpleNamespace, submitted: Application, api: Any, bad: str
) -> None:
    before = state(submitted)
    client = api(world.anna)
    for response in (
        client.get(f"{BASE}/applications", {"round": bad}),
        client.get(f"{BASE}/applications", {"page": bad}),
        client.post(
            f"{BASE}/applications/{submitted.pk}/transitions/withdraw",
            {"reason": "Vi trækker den", "version": bad},
            format="json",
        ),
    ):
        assert response.status_code == 400, response.content
        assert response.json()
    assert state(submitted) == before


@BAD_INTEGERS
def test_a_broken_meeting_is_a_400_in_the_api(
    world: SimpleNamespace, submitted: Application, api: Any, bad: str
) -> None:
    reviewed = advance(submitted, world, "in_council_review")
    before = state(reviewed)
    response = api(world.erik).post(
        f"{BASE}/applications/{reviewed.pk}/transitions/recommend",
        {"outcome": "grant", "reason": "God", "meeting": bad},
        format="json",
    )
    assert response.status_code == 400 and "meeting" in response.json()
    assert state(reviewed) == before


# --- item 10: payment references and dates ---------------------------------------------------


def pay_data(**overrides: Any) -> dict[str, Any]:
    return {
        "amount": "20000",
        "paid_on": datetime.date.today().isoformat(),
        "reference": "UDB-1",
        **overrides,
    }


def test_a_payment_reference_beyond_100_characters_is_refused_on_the_screen(
    world: SimpleNamespace, granted: Application
) -> None:
    before = state(granted)
    response = logged_in(world.carl).post(
        reverse("applications:application_act", args=[granted.pk, "pay"]),
        pay_data(reference="R" * 101),
    )
    assert response.status_code == 400
    assert "at most 100 characters" in form_errors(response)["reference"][0]
    assert state(granted) == before and not granted.payouts.exists()


def test_a_payment_reference_beyond_100_characters_is_a_400_in_the_api(
    world: SimpleNamespace, granted: Application, api: Any
) -> None:
    before = state(granted)
    response = api(world.carl).post(
        f"{BASE}/applications/{granted.pk}/transitions/pay",
        pay_data(reference="R" * 101),
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["reference"]
    assert state(granted) == before and not granted.payouts.exists()


@BAD_DATES
def test_a_payout_date_out_of_the_window_is_refused_on_the_screen_and_in_the_api(
    world: SimpleNamespace, granted: Application, api: Any, day: str
) -> None:
    before = state(granted)
    screen = logged_in(world.carl).post(
        reverse("applications:application_act", args=[granted.pk, "pay"]), pay_data(paid_on=day)
    )
    assert screen.status_code == 400
    assert "Enter a date between" in form_errors(screen)["paid_on"][0]
    response = api(world.carl).post(
        f"{BASE}/applications/{granted.pk}/transitions/pay", pay_data(paid_on=day), format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["paid_on"]
    assert state(granted) == before and not granted.payouts.exists()


@BAD_DATES
def test_a_meeting_date_out_of_the_window_is_refused_on_the_screen_and_in_the_api(
    world: SimpleNamespace, api: Any, day: str
) -> None:
    screen = logged_in(world.carl).post(
        reverse("meetings:meeting_new", args=[world.round.pk]) + "?body=council",
        {"date": day, "members_present": [world.dorte.pk, world.erik.pk]},
    )
    assert screen.status_code == 400
    assert "Enter a date between" in form_errors(screen)["date"][0]
    response = api(world.carl).post(
        f"{BASE}/meetings",
        {"round": world.round.pk, "body": "council", "date": day, "members_present": []},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["date"]
    assert not Meeting.objects.exists()


def test_dates_inside_the_window_are_taken(world: SimpleNamespace, granted: Application) -> None:
    response = logged_in(world.carl).post(
        reverse("applications:application_act", args=[granted.pk, "pay"]),
        pay_data(paid_on="2000-01-01"),
    )
    assert response.status_code == 302


# --- item 11: JSON -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        "[" * 10_000,
        '{"username": ' + "[" * 5_000 + "]" * 5_000 + "}",
    ],
    ids=["arrays", "objects", "unclosed", "in-a-field"],
)
def test_deeply_nested_json_to_the_token_endpoint_is_a_400(api: Any, body: str) -> None:
    response = api(None).post(f"{BASE}/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]


def test_json_nested_within_the_limit_is_parsed(world: SimpleNamespace, api: Any) -> None:
    body = {"username": "carl", "password": "wrong", "otp": ""}
    response = api(None).post(
        f"{BASE}/auth/token", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" not in response.json()["detail"]


def test_a_json_body_beyond_the_upload_limit_is_refused(api: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "p"})
    response = api(None).post(f"{BASE}/auth/token", body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["detail"]


def test_deeply_nested_report_lines_in_a_multipart_report_are_a_400(
    world: SimpleNamespace, draft: Application, api: Any
) -> None:
    paid = advance(draft, world, "paid")
    before = state(paid)
    response = api(world.anna).post(
        f"{BASE}/applications/{paid.pk}/transitions/submit_report",
        {"description": "Lektiecafé", "lines": "[" * 10_000 + "]" * 10_000},
        format="multipart",
    )
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["lines"][0]
    assert state(paid) == before


def test_a_postal_code_in_other_digits_than_ascii_is_refused(world: SimpleNamespace) -> None:
    response = logged_in(world.carl).post(
        reverse("associations:association_new"),
        {
            "name": "Skakklubben",
            "cvr": "12345674",
            "address": "Torvet 1",
            "postal_code": "²²²²",
            "city": "Roskilde",
            "contact_person": "Kim",
            "email": "kim@example.org",
            "phone": "12345678",
        },
    )
    assert response.status_code == 400
    assert form_errors(response)["postal_code"]
    assert not Association.objects.filter(name="Skakklubben").exists()


@pytest.mark.parametrize("pk", [0, 2**31, 2**63 - 1, 2**63, 10**30])
@pytest.mark.parametrize(
    "name",
    [
        "inbox:round_inbox",
        "reports:round_report",
        "applications:application_detail",
        "audit:application_trail",
        "meetings:meeting_detail",
    ],
)
def test_an_id_no_table_hands_out_is_a_404(world: SimpleNamespace, name: str, pk: int) -> None:
    """The pages of a round, a case and a meeting read it by a compiled query
    (cases/compiled.py): an id beyond any table's, or beyond a bigint, names nothing."""
    response = logged_in(world.carl).get(reverse(name, args=[pk]))
    assert response.status_code == 404
