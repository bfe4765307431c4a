"""The register of requests for access on screen: case officers register and handle,
auditors read, everyone else is refused; other municipalities' requests are not found."""

from __future__ import annotations

import datetime
import io
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessRequest, AccessStatus, Application, HearingAttachment
from cases.services import access_requests as service
from cases.services.meetings import conflict_declare
from tests.factories import PDF_BYTES, ApplicationFactory, FocusAreaFactory
from workflows import engine
from workflows.access_request import AccessRequestFlow

DECLARATION = "Min søster er formand for foreningen Lektiecaféen i Roskilde."


def submitted(world: SimpleNamespace, association: Any, grant_round: Any = None) -> Application:
    grant_round = grant_round or world.round
    application = ApplicationFactory(round=grant_round, association=association)
    application.focus_areas.set(
        [grant_round.focus_areas.first() or FocusAreaFactory(round=grant_round)]
    )
    user = world.anna if association == world.a else world.bo
    return engine.perform(application, "submit", user=user)


@pytest.fixture
def case(world: SimpleNamespace) -> Application:
    application = submitted(world, world.a)
    conflict_declare(application=application, member=world.erik, reason=DECLARATION)
    return application


def registered(world: SimpleNamespace, case: Application, **overrides: Any) -> AccessRequest:
    values: dict[str, Any] = {
        "municipality": world.roskilde,
        "acting_user": world.carl,
        "requester_name": "Jens Journalist",
        "received_on": timezone.localdate(),
        "scope": "cases",
        "text": "Sagens dokumenter",
        "applications": [case],
    }
    values.update(overrides)
    return service.access_request_register(**values)


def form_data(case: Application, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_name": "Jens Journalist",
        "requester_kind": "journalist",
        "requester_email": "jens@avis.dk",
        "received_on": timezone.localdate().isoformat(),
        "scope": "cases",
        "applications": [case.pk],
        "text": "Alle dokumenter om lektiecaféen",
    }
    data.update(overrides)
    return data


def test_a_case_officer_registers_a_request_on_screen(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    client.force_login(world.carl)

    response = client.post(reverse("access_request_new"), form_data(case))

    access_request = AccessRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("access_request_detail", args=[access_request.pk])
    assert list(access_request.applications.all()) == [case]
    page = client.get(reverse("access_request_list")).content.decode()
    assert "Jens Journalist" in page


def test_the_detail_page_says_when_the_request_was_received_and_its_deadline_once(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    access_request = registered(world, case)
    client.force_login(world.carl)

    page = client.get(reverse("access_request_detail", args=[access_request.pk]))

    # Registering writes two history rows (the request, then its cases): one line.
    assert access_request.history.count() == 2
    assert [row.status for row in page.context["history"]] == [AccessStatus.RECEIVED]
    html = page.content.decode()
    assert "Frist for afgørelse" in html and "Ansøgningsfrist" not in html


def test_a_case_of_another_municipality_is_an_error_on_the_field(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    other = submitted(world, world.b, world.other_round)
    client.force_login(world.carl)

    response = client.post(reverse("access_request_new"), form_data(case, applications=[other.pk]))

    assert response.status_code == 400
    assert response.context["form"].errors["applications"]
    assert AccessRequest.objects.count() == 0


def test_a_request_received_tomorrow_is_an_error_on_the_field(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    client.force_login(world.carl)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("access_request_new"), form_data(case, received_on=tomorrow.isoformat())
    )

    assert response.status_code == 400
    assert response.context["form"].errors["received_on"]


@pytest.mark.parametrize("who", ["anna", "dorte", "erik", "frida"])
def test_applicants_and_members_are_refused_the_register(
    world: SimpleNamespace, case: Application, client: Any, who: str
) -> None:
    access_request = registered(world, case)
    client.force_login(getattr(world, who))

    assert client.get(reverse("access_request_list")).status_code == 403
    assert client.get(reverse("access_request_new")).status_code == 403
    detail = client.get(reverse("access_request_detail", args=[access_request.pk]))
    # An applicant is no staff of Roskilde: the request does not exist for them.
    assert detail.status_code == (404 if who == "anna" else 403)
    client.force_login(world.carl)
    assert client.get(reverse("access_request_detail", args=[access_request.pk])).status_code == 200


def test_another_municipalitys_case_officer_does_not_find_the_request(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    access_request = registered(world, case)
    client.force_login(world.helle)

    assert client.get(reverse("access_request_detail", args=[access_request.pk])).status_code == 404
    response = client.post(
        reverse("access_request_decide", args=[access_request.pk]), {"decision": "full"}
    )
    assert response.status_code == 404
    assert "Jens Journalist" not in client.get(reverse("access_request_list")).content.decode()


def test_the_auditor_reads_but_cannot_change(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    access_request = registered(world, case)
    client.force_login(world.gustav)

    assert client.get(reverse("access_request_list")).status_code == 200
    page = client.get(reverse("access_request_detail", args=[access_request.pk]))
    assert page.status_code == 200 and "decide_form" not in page.context
    for name, data in (
        ("access_request_decide", {"decision": "full"}),
        ("access_request_extend", {"until": "2030-01-01", "reason": "x"}),
        ("access_request_hand_out", {}),
    ):
        assert client.post(reverse(name, args=[access_request.pk]), data).status_code == 403
    assert client.post(reverse("access_request_new"), form_data(case)).status_code == 403
    assert AccessRequest.objects.get().status == AccessStatus.RECEIVED


def test_an_overdue_request_is_flagged_and_the_list_sorts_by_deadline(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    late = registered(
        world, case, requester_name="Gammel Anmodning", received_on=datetime.date(2026, 1, 5)
    )
    fresh = registered(world, case, requester_name="Ny Anmodning")
    client.force_login(world.carl)

    response = client.get(reverse("access_request_list"), {"sort": "-deadline"})

    rows = response.context["rows"]
    assert [r.pk for r, _overdue in rows] == [fresh.pk, late.pk]
    assert dict((r.pk, overdue) for r, overdue in rows) == {fresh.pk: False, late.pk: True}
    assert "Overdue" in response.content.decode() or "Overskredet" in response.content.decode()


def test_a_partial_decision_without_reasons_is_refused_next_to_the_fields(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    access_request = registered(world, case)
    client.force_login(world.carl)
    url = reverse("access_request_decide", args=[access_request.pk])

    response = client.post(url, {"decision": "partial", "reasons": "", "complaint_guidance": ""})

    assert response.status_code == 400
    errors = response.context["decide_form"].errors
    assert set(errors) == {"reasons", "complaint_guidance"}
    response = client.post(
        url,
        {"decision": "partial", "reasons": "§ 30, nr. 1", "complaint_guidance": "Klag til os."},
    )
    assert response.status_code == 302
    assert AccessRequest.objects.get().decision == "partial"


def test_the_decide_form_offers_the_municipalitys_complaint_guidance(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    access_request = registered(world, case)
    client.force_login(world.carl)

    page = client.get(reverse("access_request_detail", args=[access_request.pk]))

    initial = page.context["decide_form"].initial["complaint_guidance"]
    assert "Ankestyrelsen" in initial and "§ 37" in initial


def test_the_handler_hands_out_a_redacted_export_and_downloads_it(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    access_request = engine.take(
        AccessRequestFlow,
        registered(world, case),
        "access_decide",
        user=world.carl,
        decision="full",
    )
    client.force_login(world.carl)

    response = client.post(
        reverse("access_request_hand_out", args=[access_request.pk]),
        {"declarations": "private", "contact_details": ""},
    )
    assert response.status_code == 302
    download = client.get(reverse("access_request_export", args=[access_request.pk]))

    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        trail = archive.read(f"{case.case_number}/trail.csv").decode()
    assert DECLARATION not in trail
    assert "»[Undtaget, offentlighedslovens § 30, nr. 1]«" in trail
    assert "anna@example.org" in trail  # contact details were not chosen


def test_the_register_costs_the_same_queries_for_1_and_6_requests(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.carl)
    url = reverse("access_request_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    registered(world, case)
    client.get(url)  # the session and the profile settle on the first visit
    one = count()
    for _ in range(5):
        registered(world, case)
    assert count() == one


def test_the_hand_out_form_offers_a_hearing_answer_s_file_and_leaves_it_out(
    world: SimpleNamespace, case: Application, client: Any
) -> None:
    heard = engine.perform(case, "start_hearing", user=world.carl, facts="Ingen bestyrelse.")
    upload = SimpleUploadedFile("referat.pdf", PDF_BYTES, content_type="application/pdf")
    engine.perform(heard, "answer_hearing", user=world.anna, answer="Jo.", documents=[upload])
    attachment = HearingAttachment.objects.get()
    access_request = engine.take(
        AccessRequestFlow,
        registered(world, case),
        "access_decide",
        user=world.carl,
        decision="full",
    )
    client.force_login(world.carl)
    value = f"hearing_attachment:{attachment.pk}"

    page = client.get(reverse("access_request_detail", args=[access_request.pk]))
    assert value in dict(page.context["hand_out_form"].fields["exempt"].choices)
    assert f'value="{value}"' in page.content.decode()

    response = client.post(
        reverse("access_request_hand_out", args=[access_request.pk]),
        {"exempt": [value], "exempt_ground": "private"},
    )
    assert response.status_code == 302
    stored = AccessRequest.objects.get(pk=access_request.pk)
    assert stored.redactions["items"] == [
        {"kind": "hearing_attachment", "id": attachment.pk, "ground": "private"}
    ]
    with stored.export.open("rb") as data, zipfile.ZipFile(io.BytesIO(data.read())) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.endswith("referat.pdf")]
    assert [n for n in names if n.endswith(f"-{attachment.pk}.undtaget.txt")]
