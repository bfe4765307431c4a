"""The hearing on screen: carl starts it on the case's action page, anna sees it at the top
of her case page with the days left, and answers with a file."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Application, Hearing, HearingAttachment

from ..conftest import PDF
from ..workflows.support import S, reach


def test_carl_starts_a_hearing_and_anna_answers_it_with_a_file(
    world: SimpleNamespace, draft: Application, client: Client
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    client.force_login(world.carl)
    act = reverse("applications:application_act", args=[submitted.pk, "start_hearing"])
    page = client.get(act)
    assert page.status_code == 200
    refused = client.post(
        act, {"facts": "", "seen_status": "submitted", "seen_version": submitted.version}
    )
    assert refused.status_code == 400  # the error beside the field, nothing started
    assert not Hearing.objects.exists()
    done = client.post(
        act,
        {
            "facts": "Foreningen har ingen bestyrelse.",
            "seen_status": "submitted",
            "seen_version": submitted.version,
        },
    )
    assert done.status_code == 302
    hearing = Hearing.objects.get()

    client.force_login(world.anna)
    case_page = client.get(
        reverse("applications:application_detail", args=[submitted.pk])
    ).content.decode()
    assert 'id="hearing-open"' in case_page
    assert "Foreningen har ingen bestyrelse." in case_page
    assert reverse("hearings:hearing_answer", args=[submitted.pk]) in case_page
    submitted.refresh_from_db()
    answered = client.post(
        reverse("hearings:hearing_answer", args=[submitted.pk]),
        {
            "answer": "Vi valgte en bestyrelse i marts.",
            "documents": [SimpleUploadedFile("referat.pdf", PDF, "application/pdf")],
            "seen_status": submitted.status,
            "seen_version": submitted.version,
        },
    )
    assert answered.status_code == 302
    hearing.refresh_from_db()
    assert hearing.outcome == "answered"
    attachment = HearingAttachment.objects.get()
    download = client.get(reverse("hearings:hearing_attachment_download", args=[attachment.pk]))
    assert download.status_code == 200

    client.force_login(world.bo)  # another association's applicant sees none of it
    assert (
        client.get(
            reverse("hearings:hearing_attachment_download", args=[attachment.pk])
        ).status_code
        == 404
    )


def test_anna_is_offered_the_withdrawal_in_a_hearing_only_before_a_decision(
    world: SimpleNamespace, draft: Application, client: Client
) -> None:
    from workflows.engine import perform

    facts = {"facts": "Foreningen har ingen bestyrelse."}
    before = perform(
        reach(draft, world, S.IN_COUNCIL_REVIEW), "start_hearing", user=world.carl, **facts
    )
    client.force_login(world.anna)
    withdraw = reverse("applications:application_act", args=[before.pk, "withdraw"])
    assert (
        withdraw
        in client.get(reverse("applications:application_detail", args=[before.pk])).content.decode()
    )

    done = client.post(
        withdraw, {"reason": "", "seen_status": before.status, "seen_version": before.version}
    )

    assert done.status_code == 302
    assert Hearing.objects.get().outcome == "closed"


def test_a_case_heard_on_its_report_offers_no_withdrawal(
    world: SimpleNamespace, draft: Application, client: Client
) -> None:
    from workflows.engine import perform

    reported = reach(draft, world, S.REPORT_SUBMITTED)
    heard = perform(reported, "start_hearing", user=world.carl, facts="Bilagene mangler.")
    client.force_login(world.anna)

    page = client.get(reverse("applications:application_detail", args=[heard.pk])).content.decode()

    assert reverse("hearings:hearing_answer", args=[heard.pk]) in page
    assert reverse("applications:application_act", args=[heard.pk, "withdraw"]) not in page


def test_a_bad_file_is_refused_beside_the_field(
    world: SimpleNamespace, draft: Application, client: Client
) -> None:
    from workflows.engine import perform

    heard = perform(reach(draft, world, S.SUBMITTED), "start_hearing", user=world.carl, facts="X")
    client.force_login(world.anna)
    response = client.post(
        reverse("hearings:hearing_answer", args=[heard.pk]),
        {
            "answer": "Svar",
            "documents": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/pdf")],
            "seen_status": heard.status,
            "seen_version": heard.version,
        },
    )
    assert response.status_code == 400
    assert 'id="id_documents-error"' in response.content.decode()
    assert Hearing.objects.get().outcome == ""


def test_only_the_association_answers_and_outsiders_see_no_hearing(
    world: SimpleNamespace, draft: Application, client: Client
) -> None:
    from workflows.engine import perform

    heard = perform(reach(draft, world, S.SUBMITTED), "start_hearing", user=world.carl, facts="X")
    url = reverse("hearings:hearing_answer", args=[heard.pk])
    data = {"answer": "Svar", "seen_status": heard.status, "seen_version": heard.version}
    client.force_login(world.bo)
    assert client.get(url).status_code == 404
    client.force_login(world.carl)
    assert client.get(url).status_code == 200  # the page shows what was asked
    assert client.post(url, data).status_code == 403  # not a paper case: carl may not answer
    assert Hearing.objects.get().outcome == ""
    client.force_login(world.anna)  # the same request by the association goes through
    assert client.post(url, data).status_code == 302
    assert Hearing.objects.get().outcome == "answered"


def test_an_answer_sent_after_the_hearing_ended_is_shown_again_not_lost(
    world: SimpleNamespace, draft: Application, client: Client
) -> None:
    from workflows.engine import perform

    heard = perform(reach(draft, world, S.SUBMITTED), "start_hearing", user=world.carl, facts="X")
    url = reverse("hearings:hearing_answer", args=[heard.pk])
    data = {
        "answer": "Vores bemærkninger",
        "seen_status": heard.status,
        "seen_version": heard.version,
    }
    perform(heard, "end_hearing", user=world.carl)  # ended while anna was typing

    client.force_login(world.anna)
    late = client.post(url, data)

    assert late.status_code == 409
    html = late.content.decode()
    assert "Partshøringen er afsluttet, så jeres svar er ikke sendt" in html
    assert "Vores bemærkninger" in html  # the typed text, kept
    assert 'id="confirm"' not in html  # nothing more to send here
    assert Hearing.objects.get().answer == ""
    # A link to it (from a notice, say) leads to the case with a word on why.
    followed = client.get(url, follow=True)
    assert followed.redirect_chain == [
        (reverse("applications:application_detail", args=[heard.pk]), 302)
    ]
    assert "Der er ingen åben partshøring i sagen." in followed.content.decode()
    client.force_login(world.bo)  # another association still finds nothing
    assert client.get(url).status_code == 404


def test_staff_posting_to_an_ended_hearing_are_refused_as_such(
    world: SimpleNamespace, draft: Application, client: Client
) -> None:
    from workflows.engine import perform

    heard = perform(reach(draft, world, S.SUBMITTED), "start_hearing", user=world.carl, facts="X")
    perform(heard, "end_hearing", user=world.carl)
    client.force_login(world.carl)  # not a paper case: carl never answers it

    response = client.post(reverse("hearings:hearing_answer", args=[heard.pk]), {"answer": "x"})

    assert response.status_code == 403
