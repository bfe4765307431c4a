"""Assigning a case to a case officer (issue 17): the rule, the trail, the word to the new
case officer, the case page, the bulk assignment in the inbox and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import Application, Role
from cases.services.assignment import application_assign
from cases.trail.models import TransitionRecord
from cases.trail.verify import verify_trail
from notifications.models import Notification
from tests.conftest import advance
from tests.factories import ApplicationFactory, UserFactory, give_role
from workflows import engine
from workflows.assignment import assign_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world: Any, draft: Any) -> Application:
    return engine.perform(draft, "submit", user=world.anna)


@pytest.fixture
def cecilie(world: Any) -> Any:
    """carl's colleague, a case officer of Roskilde too."""
    user = UserFactory(username="cecilie", first_name="Cecilie")
    give_role(user, world.roskilde, Role.CASE_OFFICER)
    return user


def test_a_case_officer_assigns_a_case_to_herself_and_the_trail_says_so(
    world: Any, case: Application
) -> None:
    application_assign(application=case, acting_user=world.carl, case_officer=world.carl)

    case.refresh_from_db()
    assert case.case_officer == world.carl
    record = TransitionRecord.objects.filter(application=case).order_by("-seq").first()
    assert record.transition == "assign_case" and record.flow == "assignment"
    assert record.from_state == record.to_state == "submitted"
    assert record.payload["from"] is None
    assert record.payload["to"]["id"] == world.carl.pk
    assert verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems == []


def test_reassigning_records_who_had_it_and_tells_the_new_case_officer(
    world: Any, case: Application, cecilie: Any
) -> None:
    assign_case(application=case, acting_user=world.carl, case_officer=world.carl)
    assert not Notification.objects.filter(kind="case_assigned").exists()  # not oneself

    assign_case(application=case, acting_user=world.carl, case_officer=cecilie)

    record = TransitionRecord.objects.filter(application=case).order_by("-seq").first()
    assert record.payload["from"]["id"] == world.carl.pk
    assert record.payload["to"]["id"] == cecilie.pk
    told = Notification.objects.get(kind="case_assigned")
    assert told.recipient == cecilie and told.application_id == case.pk


@pytest.mark.parametrize(
    "who", ["anna", "bo", "dorte", "erik", "frida", "gustav", "helle", "ivan", "admin"]
)
def test_nobody_but_the_municipalitys_case_officers_assigns(
    world: Any, case: Application, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        application_assign(
            application=case, acting_user=getattr(world, who), case_officer=world.carl
        )
    case.refresh_from_db()
    assert case.case_officer is None
    # The same request by the case officer goes through: the refusal was the rule's.
    application_assign(application=case, acting_user=world.carl, case_officer=world.carl)


@pytest.mark.parametrize("assignee", ["erik", "gustav", "helle", "anna"])
def test_the_assignee_must_be_a_case_officer_of_the_cases_municipality(
    world: Any, case: Application, assignee: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        application_assign(
            application=case, acting_user=world.carl, case_officer=getattr(world, assignee)
        )
    assert "case_officer" in refused.value.message_dict
    assert "sagsbehandler i Roskilde Kommune" in refused.value.message_dict["case_officer"][0]
    assert not TransitionRecord.objects.filter(transition="assign_case").exists()


def test_a_draft_is_not_yet_a_case_to_assign(world: Any, draft: Any) -> None:
    with pytest.raises(PermissionDenied):
        application_assign(application=draft, acting_user=world.carl, case_officer=world.carl)


def test_assigning_to_whom_it_already_is_assigned_is_refused(world: Any, case: Application) -> None:
    application_assign(application=case, acting_user=world.carl, case_officer=world.carl)
    with pytest.raises(ValidationError, match="allerede tildelt"):
        application_assign(application=case, acting_user=world.carl, case_officer=world.carl)


# --- the case page -----------------------------------------------------------------------------


def test_the_case_page_shows_the_assignment_and_assigns_with_one_click(
    world: Any, case: Application, client: Any
) -> None:
    client.force_login(world.carl)
    page = client.get(reverse("applications:application_detail", args=[case.pk]))
    assert "Endnu ikke tildelt nogen." in page.content.decode()
    assert 'id="assign-me"' in page.content.decode()

    response = client.post(
        reverse("inbox:application_assign", args=[case.pk]), {"case_officer": "me"}
    )

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Tildelt: Carl" in page.content.decode()
    assert 'id="assign-me"' not in page.content.decode()


def test_the_case_page_has_no_assignment_form_for_other_staff_nor_a_box_for_the_association(
    world: Any, case: Application, client: Any
) -> None:
    client.force_login(world.erik)
    page = client.get(reverse("applications:application_detail", args=[case.pk])).content
    assert b'id="assignment"' in page and b'id="assign-me"' not in page
    client.force_login(world.anna)
    page = client.get(reverse("applications:application_detail", args=[case.pk])).content
    assert b'id="assignment"' not in page


def test_a_refused_assignee_is_told_on_the_page(world: Any, case: Application, client: Any) -> None:
    client.force_login(world.carl)
    response = client.post(
        reverse("inbox:application_assign", args=[case.pk]),
        {"case_officer": str(world.erik.pk)},
        follow=True,
    )
    assert "er ikke sagsbehandler i Roskilde Kommune" in response.content.decode()
    case.refresh_from_db()
    assert case.case_officer is None


def test_the_assignment_screen_refuses_other_staff(
    world: Any, case: Application, client: Any
) -> None:
    client.force_login(world.gustav)
    url = reverse("inbox:application_assign", args=[case.pk])
    assert client.post(url, {"case_officer": "me"}).status_code == 403
    client.force_login(world.helle)  # another municipality: the case does not exist for her
    assert client.post(url, {"case_officer": "me"}).status_code == 404


def test_bulk_assignment_assigns_every_ticked_case(
    world: Any, case: Application, cecilie: Any, client: Any
) -> None:
    other = ApplicationFactory(round=world.round, association=world.b)
    other.focus_areas.set([world.focus])
    other = engine.perform(other, "submit", user=world.bo)
    client.force_login(world.carl)
    response = client.post(
        reverse("inbox:bulk_assign"),
        {"applications": [case.pk, other.pk], "case_officer": str(cecilie.pk), "next": "/cases/"},
    )
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert set(Application.objects.filter(case_officer=cecilie).values_list("pk", flat=True)) == {
        case.pk,
        other.pk,
    }
    assert Notification.objects.filter(kind="case_assigned", recipient=cecilie).count() == 2


def test_bulk_assignment_is_all_or_nothing(world: Any, case: Application, client: Any) -> None:
    client.force_login(world.carl)
    client.post(
        reverse("inbox:bulk_assign"),
        {"applications": [case.pk], "case_officer": str(world.erik.pk)},
    )
    case.refresh_from_db()
    assert case.case_officer is None
    client.force_login(world.erik)
    response = client.post(
        reverse("inbox:bulk_assign"), {"applications": [case.pk], "case_officer": "me"}
    )
    assert response.status_code == 403


# --- the API -----------------------------------------------------------------------------------


def _api(client: Any, user: Any, case: Application, body: Any) -> Any:
    client.force_login(user)
    return client.post(
        reverse("api:api_application_assign", args=[case.pk]),
        body,
        content_type="application/json",
    )


def test_the_api_assigns_and_shows_the_case_officer(
    world: Any, case: Application, client: Any
) -> None:
    response = _api(client, world.carl, case, {"case_officer": world.carl.pk})
    assert response.status_code == 200, response.content
    assert response.json()["case_officer"] == world.carl.pk
    detail = client.get(reverse("api:api_application", args=[case.pk])).json()
    assert detail["case_officer"] == world.carl.pk

    response = _api(client, world.carl, case, {"case_officer": None})
    assert response.status_code == 200 and response.json()["case_officer"] is None


def test_the_api_refuses_with_a_reason(world: Any, case: Application, client: Any) -> None:
    refused = _api(client, world.carl, case, {"case_officer": world.erik.pk})
    assert refused.status_code == 400 and "case_officer" in refused.content.decode()
    assert _api(client, world.carl, case, {"case_officer": "x"}).status_code == 400
    assert _api(client, world.carl, case, {}).status_code == 400
    assert _api(client, world.anna, case, {"case_officer": world.carl.pk}).status_code == 403
    assert _api(client, world.helle, case, {"case_officer": world.helle.pk}).status_code == 404


def test_the_schema_describes_the_assign_endpoint(client: Any, world: Any) -> None:
    client.force_login(world.carl)
    schema = client.get(reverse("api:api_schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/applications/{id}/assign"]["post"]
    assert "requestBody" in operation and "200" in operation["responses"]
    assert "case_officer" in schema["components"]["schemas"]["Application"]["properties"]


def test_a_case_keeps_its_assignment_through_the_flow(world: Any, case: Application) -> None:
    application_assign(application=case, acting_user=world.carl, case_officer=world.carl)
    case = advance(Application.objects.get(pk=case.pk), world, "in_council_review")
    assert Application.objects.get(pk=case.pk).case_officer == world.carl
    assert verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems == []
