from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cases.models import Application, ApplicationStatus, Association
from tests.factories import ApplicationFactory, AssociationFactory, valid_cvr
from workflows import engine

pytestmark = pytest.mark.django_db


def test_carl_filters_and_searches_the_inbox(world: Any, client: Any) -> None:
    mine = ApplicationFactory(round=world.round, association=world.a, title="Lektiecafé")
    other = ApplicationFactory(round=world.round, association=world.b, title="Besøgsven")
    mine.focus_areas.set([world.focus])
    other.focus_areas.set([world.focus])
    engine.perform(mine, "submit", user=world.anna)
    engine.perform(other, "submit", user=world.bo)
    ApplicationFactory(
        round=world.round, association=world.b, title="Endnu ikke indsendt"
    )  # a draft
    client.force_login(world.carl)
    url = reverse("inbox:round_inbox", args=[world.round.pk])

    html = client.get(url).content.decode()
    assert (
        mine.case_number in html and other.case_number in html and "Endnu ikke indsendt" not in html
    )
    html = client.get(url, {"q": "Besøgsven"}).content.decode()
    assert other.case_number in html and mine.case_number not in html
    html = client.get(url, {"q": mine.case_number}).content.decode()
    assert mine.case_number in html and other.case_number not in html
    html = client.get(url, {"status": "draft"}).content.decode()
    assert "Endnu ikke indsendt" in html and mine.case_number not in html
    html = client.get(url, {"focus_area": world.focus.pk}).content.decode()
    assert mine.case_number in html
    assert client.get(url, {"status": "nonsense", "focus_area": "x"}).status_code == 200


def _submitted(world: Any, application: Any) -> Any:
    application.focus_areas.set([world.focus])
    return engine.perform(application, "submit", user=world.anna)


def test_the_inbox_filters_by_in_hearing(world: Any, client: Any) -> None:
    heard = ApplicationFactory(round=world.round, association=world.a, title="Lektiecafé")
    waiting = ApplicationFactory(round=world.round, association=world.a, title="Besøgsven")
    heard, waiting = (_submitted(world, application) for application in (heard, waiting))
    engine.perform(heard, "start_hearing", user=world.carl, facts="CVR viser ingen bestyrelse.")
    client.force_login(world.carl)

    html = client.get(
        reverse("inbox:round_inbox", args=[world.round.pk]), {"status": "in_hearing"}
    ).content.decode()
    assert heard.case_number in html and waiting.case_number not in html
    assert '<option value="in_hearing" selected>I partshøring</option>' in html


def test_carl_registers_a_paper_application_received_before_the_deadline(
    world: Any, client: Any
) -> None:
    client.force_login(world.carl)
    received = timezone.localtime(timezone.now() - datetime.timedelta(days=1))
    response = client.post(
        reverse("inbox:paper_application_new", args=[world.round.pk]),
        {
            "association": world.b.pk,
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "title": "Besøgsvenner (papir)",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(title="Besøgsvenner (papir)")
    assert application.registered_by == world.carl and application.is_paper
    # carl types in the content, then the association's deadline counts from receipt.
    # (the edit link leads to the guided application's first unfinished step)
    response = client.get(reverse("applications:application_edit", args=[application.pk]))
    assert client.get(response["Location"]).status_code == 200


def test_a_paper_application_cannot_be_received_in_the_future(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    future = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    with override("en"):
        response = client.post(
            reverse("inbox:paper_application_new", args=[world.round.pk]),
            {
                "association": world.b.pk,
                "received_at": future.strftime("%Y-%m-%dT%H:%M"),
                "title": "X",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert 'id="id_received_at-error"' in response.content.decode()
    assert not Application.objects.filter(title="X").exists()


@pytest.mark.parametrize(
    ("cvr", "message"),
    [
        ("1234567", "exactly 8 digits"),
        ("12345678", "not a valid CVR number"),
        ("abcdefgh", "exactly 8 digits"),
    ],
)
def test_a_wrong_cvr_is_refused_next_to_the_field(
    world: Any, client: Any, cvr: str, message: str
) -> None:
    client.force_login(world.carl)
    with override("en"):
        response = client.post(
            reverse("associations:association_new") + f"?round={world.round.pk}",
            {
                "name": "Ny forening",
                "cvr": cvr,
                "address": "Vej 1",
                "postal_code": "4000",
                "city": "Roskilde",
                "contact_person": "Kim",
                "email": "kim@example.org",
                "phone": "12345678",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_cvr-error"' in html and message in html
    assert "Ny forening" in html  # the input is kept
    assert not Association.objects.filter(name="Ny forening").exists()


def test_carl_registers_a_new_association_and_returns_to_the_paper_form(
    world: Any, client: Any
) -> None:
    client.force_login(world.carl)
    cvr = valid_cvr(900)
    response = client.post(
        reverse("associations:association_new") + f"?round={world.round.pk}",
        {
            "name": "Ny forening",
            "cvr": cvr,
            "address": "Vej 1",
            "postal_code": "4000",
            "city": "Roskilde",
            "contact_person": "Kim",
            "email": "kim@example.org",
            "phone": "12345678",
        },
    )
    association = Association.objects.get(cvr=cvr)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?association={association.pk}")
    # An applicant cannot register associations.
    client.force_login(world.anna)
    assert client.get(reverse("associations:association_new")).status_code == 403


def test_anna_updates_her_associations_details_but_not_its_cvr(world: Any, client: Any) -> None:
    client.force_login(world.anna)
    url = reverse("associations:association_details", args=[world.a.pk])
    data = {
        "name": world.a.name,
        "cvr": valid_cvr(901),
        "address": "Ny vej 2",
        "postal_code": "4000",
        "city": "Roskilde",
        "contact_person": "Anna",
        "email": "anna@example.org",
        "phone": "87654321",
    }
    assert client.post(url, data).status_code == 302
    world.a.refresh_from_db()
    assert world.a.address == "Ny vej 2" and world.a.cvr != valid_cvr(901)
    assert world.a.language == "da"
    # The language of its letters: English chosen, kept; nonsense refused beside the field.
    assert client.post(url, {**data, "language": "en"}).status_code == 302
    world.a.refresh_from_db()
    assert world.a.language == "en"
    response = client.post(url, {**data, "language": "xx"})
    assert response.status_code == 400 and "language" in response.context["form"].errors
    assert client.post(url, data).status_code == 302
    world.a.refresh_from_db()
    assert world.a.language == "en"
    # bo does not represent A: 404.
    client.force_login(world.bo)
    assert client.post(url, data).status_code == 404
    assert (
        client.get(
            reverse("associations:association_details", args=[AssociationFactory().pk])
        ).status_code
        == 404
    )


def test_the_flow_chart_page_shows_the_generated_chart(world: Any, client: Any) -> None:
    client.force_login(world.anna)
    html = client.get(reverse("applications:flow_chart")).content.decode()
    assert "<svg" in html and "Til behandling i Frivillighedsrådet" in html
    # The states and actions in the screens' words, not the code's identifiers.
    assert "in_council_review" not in html and "send_back" not in html


def test_carl_accepts_through_the_screen_and_the_timeline_shows_it(
    world: Any, draft: Any, client: Any
) -> None:
    submitted = engine.perform(draft, "submit", user=world.anna)
    client.force_login(world.carl)
    response = client.post(
        reverse("applications:application_act", args=[submitted.pk, "accept"]),
        {"seen_status": "submitted", "reason": "Frivilligbaseret, lokalt, socialt formål"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_COUNCIL_REVIEW
    html = client.get(
        reverse("applications:application_detail", args=[submitted.pk])
    ).content.decode()
    assert "Frivilligbaseret, lokalt, socialt formål" in html
