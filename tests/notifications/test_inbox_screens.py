"""The in-app notifications: the list and its unread count, marking read (POST only),
one notification, preferences (legal notices cannot be switched off), and the delivery
status page for staff."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Application
from notifications.models import Kind, Notification, Status, UserPreference
from notifications.reminders.engine import run_reminders
from notifications.services import notify
from web.notifications.forms import LEGAL_KINDS
from workflows import engine

from ..conftest import advance
from ..factories import ApplicationFactory
from .conftest import prefer


def tell(
    application: Application | None, *users: Any, kind: str = Kind.APPLICATION_ACCEPTED
) -> list[Notification]:
    with transaction.atomic():
        return notify(
            kind=kind, application=application, recipients=list(users), context={}, legal=False
        )


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# --- the list and the header --------------------------------------------------------------------


def test_the_list_shows_the_users_own_notifications_newest_first_with_unread_marked(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    (older,) = tell(submitted, world.anna)
    (newer,) = tell(submitted, world.anna, kind=Kind.REPORT_APPROVED)
    tell(submitted, world.bo, kind=Kind.PAYOUT_REGISTERED)
    Notification.objects.filter(pk=older.pk).update(read_at=newer.created_at)

    html = (
        login(client, world.anna).get(reverse("notifications:notification_list")).content.decode()
    )

    assert html.index(newer.subject) < html.index(older.subject)
    assert html.count("Ulæst</span>") == 1  # only the newer one
    assert "udbetalt" not in html  # bo's payout notice is not anna's
    assert f'href="{reverse("notifications:notification_mark_read", args=[newer.pk])}"' not in html
    assert f'action="{reverse("notifications:notification_mark_read", args=[newer.pk])}"' in html
    assert (
        f'action="{reverse("notifications:notification_mark_read", args=[older.pk])}"' not in html
    )
    assert f'href="{reverse("applications:application_detail", args=[submitted.pk])}"' in html


def test_a_case_is_linked_only_where_the_user_may_see_it(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    # bo once represented A and was told about its application; he cannot open it now.
    tell(submitted, world.bo)
    link = f'href="{reverse("applications:application_detail", args=[submitted.pk])}"'

    html = login(client, world.bo).get(reverse("notifications:notification_list")).content.decode()
    assert submitted.case_number in html and link not in html

    tell(submitted, world.anna)
    html = (
        login(client, world.anna).get(reverse("notifications:notification_list")).content.decode()
    )
    assert link in html


def test_the_header_shows_the_unread_count_with_an_accessible_label(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    tell(submitted, world.anna)
    tell(submitted, world.anna, kind=Kind.REPORT_APPROVED)
    login(client, world.anna)
    # In English, so the test reads the label as written in the template.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    link = f'<a href="{reverse("notifications:notification_list")}"'

    html = client.get(reverse("applications:my_applications")).content.decode()
    assert f'{link} aria-label="Notifications, 2 unread">Notifications (2)</a>' in html

    client.post(reverse("notifications:notification_mark_all_read"))
    html = client.get(reverse("applications:my_applications")).content.decode()
    assert f"{link}>Notifications</a>" in html
    assert "unread" not in html


def test_anonymous_visitors_get_no_count_and_are_sent_to_log_in(client: Client, db: Any) -> None:
    response = client.get(reverse("notifications:notification_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert "Meddelelser" not in client.get(reverse("accounts:login")).content.decode()


def grow(world: SimpleNamespace, application: Application, n: int) -> None:
    have = Notification.objects.filter(recipient=world.anna).count()
    for _ in range(n - have):
        tell(application, world.anna)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_page_runs_the_same_queries_for_10_and_100_notifications(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    login(client, world.anna)
    url = reverse("notifications:notification_list")
    grow(world, submitted, 10)
    small = count_queries(client, url)
    grow(world, submitted, 100)
    large = count_queries(client, url)
    # session, user, staff roles with association ties (the header's profile), the page's
    # count, the page's rows with their applications, which of those anna may open, the
    # header's unread count
    assert small == large == 7


# --- marking read -------------------------------------------------------------------------------


def test_marking_read_is_a_post_and_only_of_the_users_own(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    annas, bos = tell(submitted, world.anna, world.bo)
    url = reverse("notifications:notification_mark_read", args=[annas.pk])
    login(client, world.anna)

    assert client.get(url).status_code == 405
    assert (
        client.post(reverse("notifications:notification_mark_read", args=[bos.pk])).status_code
        == 404
    )
    annas.refresh_from_db()
    bos.refresh_from_db()
    assert annas.read_at is None and bos.read_at is None

    response = client.post(url, {"next": reverse("notifications:notification_list") + "?page=1"})
    assert response.status_code == 302 and response["Location"].endswith("?page=1")
    annas.refresh_from_db()
    bos.refresh_from_db()
    assert annas.read_at is not None and bos.read_at is None


def test_marking_read_does_not_redirect_off_site(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    (row,) = tell(submitted, world.anna)
    response = login(client, world.anna).post(
        reverse("notifications:notification_mark_read", args=[row.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("notifications:notification_list")


def test_mark_all_read_is_a_post_and_leaves_others_alone(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    tell(submitted, world.anna, world.bo)
    tell(submitted, world.anna, kind=Kind.REPORT_APPROVED)
    login(client, world.anna)
    url = reverse("notifications:notification_mark_all_read")

    assert client.get(url).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 3

    response = client.post(url, follow=True)
    assert "2 meddelelser markeret som læst." in response.content.decode()
    assert list(
        Notification.objects.filter(read_at__isnull=True).values_list(
            "recipient__username", flat=True
        )
    ) == ["bo"]


def test_one_notification_shows_its_text_escaped_and_is_marked_read_on_post(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    (row,) = tell(submitted, world.anna)
    Notification.objects.filter(pk=row.pk).update(
        body_text="Kære Anna\n\nSvar <script>alert(1)</script> & tak",
        body_html="<p><b>FRA-HTML</b></p>",
    )
    url = reverse("notifications:notification_detail", args=[row.pk])
    login(client, world.anna)

    html = client.get(url).content.decode()
    assert "<p>Kære Anna</p>" in html
    assert "Svar &lt;script&gt;alert(1)&lt;/script&gt; &amp; tak" in html
    assert "<script>alert" not in html and "FRA-HTML" not in html
    row.refresh_from_db()
    assert row.read_at is None  # looking is not reading

    assert client.post(url).status_code == 302
    row.refresh_from_db()
    assert row.read_at is not None


def test_another_users_notification_answers_404(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    (row,) = tell(submitted, world.anna)
    url = reverse("notifications:notification_detail", args=[row.pk])

    assert login(client, world.bo).get(url).status_code == 404
    assert client.post(url).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    assert login(client, world.anna).get(url).status_code == 200


# --- preferences -------------------------------------------------------------------------------


def test_preferences_offer_only_switchable_kinds_and_list_legal_ones_as_always_sent(
    world: SimpleNamespace, client: Client
) -> None:
    html = (
        login(client, world.anna)
        .get(reverse("notifications:notification_preferences"))
        .content.decode()
    )

    assert 'value="deadline_approaching"' in html and 'value="report_overdue"' in html
    for kind in LEGAL_KINDS:
        assert f'value="{kind}"' not in html
    always = html[html.index('id="legal-kinds"') :]
    assert "Afgørelse om en ansøgning" in always and "Kommunen beder om oplysninger" in always


def test_preferences_are_saved(world: SimpleNamespace, client: Client) -> None:
    response = login(client, world.anna).post(
        reverse("notifications:notification_preferences"),
        {"language": "en", "muted_kinds": [Kind.DEADLINE_APPROACHING, Kind.WAITING_DIGEST]},
    )

    assert response.status_code == 302
    preference = UserPreference.objects.get(user=world.anna)
    assert preference.language == "en"
    assert preference.muted_kinds == [Kind.DEADLINE_APPROACHING, Kind.WAITING_DIGEST]
    html = client.get(reverse("notifications:notification_preferences")).content.decode()
    assert re.search(r'value="deadline_approaching"[^>]*checked', html)
    assert not re.search(r'value="report_due"[^>]*checked', html)
    assert re.search(r'value="en"[^>]*checked', html)


def test_a_forged_post_muting_a_legal_notice_is_refused_with_an_error_next_to_the_field(
    world: SimpleNamespace, client: Client
) -> None:
    prefer(world.anna, language="da", muted=[])
    response = login(client, world.anna).post(
        reverse("notifications:notification_preferences"),
        {"language": "en", "muted_kinds": [Kind.DEADLINE_APPROACHING, Kind.DECISION]},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        '<span class="form-error-message" id="id_muted_kinds-error"><span class="sr-only">' in html
    )
    assert "Afgørelse om en ansøgning kan ikke slås fra" in html
    preference = UserPreference.objects.get(user=world.anna)
    assert (preference.language, preference.muted_kinds) == ("da", [])


def test_legal_kinds_are_exactly_those_the_flow_sends_as_legal_notices(
    world: SimpleNamespace, draft: Application
) -> None:
    application = advance(draft, world, "submitted")
    application = engine.perform(application, "request_info", user=world.carl, question="Hvem?")
    application = engine.perform(application, "provide_info", user=world.anna, answer="Os.")
    application = advance(application, world, "report_submitted")
    engine.perform(application, "return_report", user=world.carl, reason="Regnskab mangler")
    other = ApplicationFactory(round=world.round, association=world.b)
    other.focus_areas.set([world.focus])
    other = engine.perform(other, "submit", user=world.bo)
    other = engine.perform(other, "start_hearing", user=world.carl, facts="Ingen bestyrelse")
    other = engine.perform(other, "answer_hearing", user=world.bo, answer="Jo, vi har.")
    engine.perform(other, "reject", user=world.carl, reason="Ikke socialt arbejde")
    # ... and retention's notice before an old unsubmitted draft is deleted.
    with time_machine.travel(timezone.now() - datetime.timedelta(days=340), tick=False):
        ApplicationFactory(round=world.round, association=world.a)
    run_reminders()

    written = set(Notification.objects.values_list("kind", "is_legal_notice"))

    assert {kind for kind, legal in written if legal} == set(LEGAL_KINDS)
    assert not {kind for kind, legal in written if not legal} & LEGAL_KINDS


# --- the delivery status page -----------------------------------------------------------------


@pytest.fixture
def outbox(world: SimpleNamespace, submitted: Application) -> SimpleNamespace:
    """Roskilde rows sent, failed with an error and given up; one Næstved row."""
    sent, failed, given_up = tell(submitted, world.anna, world.bo, world.carl)
    Notification.objects.filter(pk=sent.pk).update(status=Status.SENT, attempts=1)
    Notification.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, attempts=2, last_error="SMTPServerDisconnected: lost"
    )
    Notification.objects.filter(pk=given_up.pk).update(
        status=Status.GIVEN_UP, attempts=8, last_error="SMTPRecipientsRefused: nej"
    )
    elsewhere = ApplicationFactory(round=world.other_round, association=world.b)
    (theirs,) = tell(elsewhere, world.helle, kind=Kind.INFO_PROVIDED)
    Notification.objects.filter(pk=theirs.pk).update(last_error="NæstvedFejl")
    return SimpleNamespace(sent=sent, failed=failed, given_up=given_up, theirs=theirs)


def test_a_case_officer_sees_the_delivery_of_their_municipalitys_notifications(
    world: SimpleNamespace, outbox: SimpleNamespace, client: Client
) -> None:
    response = login(client, world.carl).get(reverse("notifications:notification_outbox"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "SMTPServerDisconnected: lost" in html and "SMTPRecipientsRefused: nej" in html
    assert "Fejlet, prøves igen" in html and "Opgivet" in html and "Sendt" in html
    assert "NæstvedFejl" not in html
    filtered = client.get(reverse("notifications:notification_outbox"), {"status": "given_up"})
    assert "SMTPRecipientsRefused" in filtered.content.decode()
    assert "SMTPServerDisconnected" not in filtered.content.decode()


def test_the_delivery_page_is_refused_to_applicants_and_council_members_and_hidden_elsewhere(
    world: SimpleNamespace, outbox: SimpleNamespace, client: Client
) -> None:
    roskilde = reverse("notifications:notification_outbox", args=[world.roskilde.pk])

    assert (
        login(client, world.anna).get(reverse("notifications:notification_outbox")).status_code
        == 403
    )
    assert client.get(roskilde).status_code == 404
    assert login(client, world.dorte).get(roskilde).status_code == 403  # staff, not allowed
    assert login(client, world.helle).get(roskilde).status_code == 404  # another municipality
    naestved = client.get(reverse("notifications:notification_outbox", args=[world.naestved.pk]))
    assert naestved.status_code == 200 and "NæstvedFejl" in naestved.content.decode()
    # The same request by those allowed:
    assert login(client, world.carl).get(roskilde).status_code == 200
    assert login(client, world.gustav).get(roskilde).status_code == 200  # the auditor reads


def test_the_delivery_page_includes_reminders_without_an_application_sent_to_its_staff(
    world: SimpleNamespace, outbox: SimpleNamespace, client: Client
) -> None:
    from notifications.reminders.engine import write_notifications
    from notifications.reminders.rules.base import Message

    with transaction.atomic():
        write_notifications(
            [
                Message(
                    Kind.AGENDA_READY,
                    world.frida,
                    world.frida.email,
                    {
                        "municipality": world.roskilde,
                        "body_name": "Udvalget",
                        "meeting": SimpleNamespace(date=world.round.deadline.date()),
                        "items": 1,
                    },
                ),
                Message(
                    Kind.AGENDA_READY,
                    world.ivan,
                    world.ivan.email,
                    {
                        "municipality": world.naestved,
                        "body_name": "NæstvedUdvalget",
                        "meeting": SimpleNamespace(date=world.round.deadline.date()),
                        "items": 1,
                    },
                ),
            ],
            world.round.deadline,
        )
    Notification.objects.filter(recipient=world.ivan).update(last_error="IvansFejl")
    Notification.objects.filter(recipient=world.frida).update(last_error="FridasFejl")

    html = (
        login(client, world.carl).get(reverse("notifications:notification_outbox")).content.decode()
    )
    assert "FridasFejl" in html and "IvansFejl" not in html


def test_the_notification_list_links_staff_to_the_delivery_page(
    world: SimpleNamespace, client: Client
) -> None:
    link = f'href="{reverse("notifications:notification_outbox")}"'
    assert (
        link
        in login(client, world.carl)
        .get(reverse("notifications:notification_list"))
        .content.decode()
    )
    assert (
        link
        not in login(client, world.anna)
        .get(reverse("notifications:notification_list"))
        .content.decode()
    )


def test_the_outbox_costs_the_same_queries_for_2_and_12_notifications(
    world: SimpleNamespace, submitted: Application, client: Client
) -> None:
    login(client, world.carl)
    counts = []
    for n in (2, 12):
        while Notification.objects.filter(application=submitted).count() < n:
            tell(submitted, world.anna, world.bo)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("notifications:notification_outbox")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
