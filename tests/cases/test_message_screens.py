"""The "Messages" section on the case page and the answer page (issue 17): the thread for
both sides, the form for those who write, errors beside the field with nothing lost, the
question shown where it is answered; and staff-only file notes never reach the
association's pages or its API."""

from __future__ import annotations

from html import unescape
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from cases.models import Application, CaseMessage, ReceivedDocument
from cases.services.case_messages import message_send
from cases.services.case_notes import note_create
from tests.conftest import advance
from workflows.engine import perform

from ..factories import PDF_BYTES

pytestmark = pytest.mark.django_db

TEXT = "Skal vi sende det nye budget?"
QUESTION = "Hvor mange frivillige er I?"
SECRET = "Markør-M3-intern-note-om-foreningen"


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    with override("en"):
        yield


@pytest.fixture
def as_user(as_user: Any) -> Any:
    def login(user: Any) -> Any:
        client = as_user(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


def pdf(name: str = "budget.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def case(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "submitted")


def _case_page(client: Any, case: Application) -> str:
    response = client.get(reverse("applications:application_detail", args=[case.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def _send_url(case: Application) -> str:
    return reverse("case_messages:message_send", args=[case.pk])


def test_the_association_writes_from_the_case_page_and_returns_to_the_thread(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    page = _case_page(client, case)
    assert 'id="messages"' in page and 'id="message-form"' in page
    assert 'enctype="multipart/form-data"' in page and "No messages yet." in page

    sent = client.post(_send_url(case), {"body": TEXT, "documents": [pdf()]})

    assert sent.status_code == 302
    assert sent["Location"].endswith(f"/applications/{case.pk}/#messages")
    message = CaseMessage.objects.get()
    assert (message.body, message.sent_as) == (TEXT, "association")
    page = _case_page(client, case)
    assert TEXT in page and "Message from the association" in page
    document = ReceivedDocument.objects.get()
    assert reverse("notes:received_document_download", args=[document.pk]) in page
    # The case officer reads it on the same case page, and answers.
    carl = as_user(world.carl)
    assert TEXT in _case_page(carl, case)
    assert carl.post(_send_url(case), {"body": "Ja tak."}).status_code == 302
    page = _case_page(as_user(world.anna), case)
    assert page.index(TEXT) < page.index("Ja tak.")  # newest last


def test_a_refused_message_keeps_the_text_and_says_why_beside_the_field(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    bad = SimpleUploadedFile("x.exe", b"MZ" * 20)
    refused = client.post(_send_url(case), {"body": TEXT, "documents": [bad]})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="message-documents-error"' in page
    assert TEXT in page  # kept in the textarea
    assert "Choose the files again" in page
    assert not CaseMessage.objects.exists()

    empty = client.post(_send_url(case), {"body": "  "})
    assert empty.status_code == 400
    assert 'id="message-body-error"' in empty.content.decode()
    assert "Write the message." in empty.content.decode()


def test_those_who_only_read_get_no_form_and_a_post_is_refused(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    message_send(application=case, acting_user=world.anna, body=TEXT)
    for reader in (world.erik, world.frida, world.gustav):
        client = as_user(reader)
        page = _case_page(client, case)
        assert TEXT in page  # the thread is part of the case's file
        assert 'id="message-form"' not in page
        refused = client.post(_send_url(case), {"body": "Hej"})
        assert refused.status_code == 403
        assert "Only the association's representatives" in unescape(refused.content.decode())
    assert CaseMessage.objects.count() == 1
    # Outside the case: 404.
    assert as_user(world.bo).post(_send_url(case), {"body": "Hej"}).status_code == 404
    assert as_user(world.helle).get(_send_url(case)).status_code == 404


def test_a_finished_case_shows_the_thread_closed(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    closed = advance(draft, world, "closed")
    client = as_user(world.anna)
    page = _case_page(client, closed)
    assert 'id="message-form"' not in page and 'id="messages-closed"' in page
    assert client.post(_send_url(closed), {"body": TEXT}).status_code == 403


def test_the_answer_page_shows_the_question_who_asked_and_when_and_takes_files(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    asked = perform(case, "request_info", user=world.carl, question=QUESTION)
    client = as_user(world.anna)
    url = reverse("applications:application_act", args=[asked.pk, "provide_info"])
    page = client.get(url).content.decode()
    assert QUESTION in page
    assert 'id="asked-by"' in page and "Asked by Carl (carl) on" in page
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page

    done = client.post(
        url,
        {
            "answer": "Tolv.",
            "documents": [pdf("liste.pdf")],
            "seen_status": asked.status,
            "seen_version": asked.version,
        },
    )
    assert done.status_code == 302
    page = _case_page(as_user(world.carl), asked)
    thread = page[page.index('id="thread"') :]
    assert thread.index(QUESTION) < thread.index("Tolv.") < thread.index("liste.pdf")


def test_a_staff_note_never_reaches_the_associations_pages_or_api(
    world: SimpleNamespace, case: Application, as_user: Any, client: Any
) -> None:
    from rest_framework.test import APIClient

    from api.models import ApiToken

    note_create(application=case, acting_user=world.carl, text=SECRET)
    message_send(application=case, acting_user=world.carl, body=TEXT)
    urls = [
        reverse("applications:application_detail", args=[case.pk]),
        _send_url(case),
        reverse("applications:my_applications"),
    ]
    anna = as_user(world.anna)
    for url in urls:
        response = anna.get(url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode(), url
    _token, key = ApiToken.issue(world.anna)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for path in ("", "/messages", "/trail", "/notes", "/received-documents"):
        response = api.get(f"/api/v1/applications/{case.pk}{path}")
        assert response.status_code == 200, path
        assert SECRET not in response.content.decode(), path
    assert TEXT in api.get(f"/api/v1/applications/{case.pk}/messages").content.decode()
    # The case officer does see the note: the test can tell.
    assert SECRET in _case_page(as_user(world.carl), case)


def test_a_draft_has_no_messages_section_yet(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    page = _case_page(as_user(world.anna), draft)
    assert 'id="messages"' not in page
    assert as_user(world.anna).post(_send_url(draft), {"body": TEXT}).status_code == 403
