"""An association's person signs in with MitID Erhverv through the local IdP (pysaml2's IdP
side, tests/idp/saml_idp.py) in chromium, with a CVR number Puljeflow has not seen: the
association is made from the (fake) CVR register, the person completes its contact
details, lands on the home, applies and submits; the municipality decides, and the
decision letter comes out as a Digital Post (MeMo) message to that CVR in the folder the
demo's sender writes to. Each screen axe-clean at desktop and phone width."""

from __future__ import annotations

import base64
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.idp.saml_idp import SamlIdp

from .conftest import serve_demo
from .test_accessibility import violations
from .test_bulk_decision import manage_shell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_CVR = "29990018"  # known to the fake CVR register, not to the demo data
MEMO = "{https://DigitalPost.dk/MeMo-1}"

# The rest of the application, as the steps would save it (the guided application has a
# browser test of its own): the review page then has nothing missing.
FILL = r"""
import json
from decimal import Decimal
from django.core.files.uploadedfile import SimpleUploadedFile
from cases.models import Application, FocusArea
from cases.services import applications as services
draft = Application.objects.get(association__cvr="%(cvr)s", status="draft")
person = draft.association.members.filter(can_represent=True).first().user
pdf = (
    b"%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n"
)
services.application_update_draft(
    application=draft, acting_user=person,
    data={"purpose": "Lektiehjælp for børn", "target_group": "Børn 7-14 år",
          "activity_description": "Hver tirsdag", "volunteers": 6,
          "amount_requested": Decimal("12000"), "declaration_correct": True},
    focus_areas=[FocusArea.objects.filter(round=draft.round).order_by("pk").first()],
)
services.budget_lines_replace(application=draft, acting_user=person, lines=[("Materialer", Decimal("12000"))])
for kind in draft.round.required_attachments:
    services.attachment_add(application=draft, acting_user=person, kind=kind,
        upload=SimpleUploadedFile(f"{kind}.pdf", pdf), content_type="application/pdf")
print(json.dumps({"pk": draft.pk}))
"""

# The municipality's part, as its people would take it: screened, recommended at a council
# meeting, granted at a committee meeting; then what beat's sweep does: deliver the outbox.
DECIDE = r"""
import datetime, json
from django.contrib.auth import get_user_model
from cases.models import Application, Body, Document
from cases.services.meetings import agenda_add, meeting_create
from notifications.delivery import sweep_due
from workflows import engine
users = {u.username: u for u in get_user_model().objects.all()}
case = Application.objects.get(pk=%(pk)d)
case = engine.perform(case, "accept", user=users["caseofficer"], reason="Opfylder kriterierne")
day = datetime.date.today() - datetime.timedelta(days=1)
council = meeting_create(grant_round=case.round, body=Body.COUNCIL, date=day,
    members_present=[users["council_member"], users["council_chair"]], acting_user=users["caseofficer"])
agenda_add(meeting=council, applications=[case], acting_user=users["caseofficer"])
case = engine.perform(case, "recommend", user=users["council_chair"], meeting=council,
    outcome="grant", amount="12000", reason="Godt projekt")
committee = meeting_create(grant_round=case.round, body=Body.COMMITTEE, date=day,
    members_present=[users["committee_chair"]], acting_user=users["caseofficer"])
agenda_add(meeting=committee, applications=[case], acting_user=users["caseofficer"])
case = engine.perform(case, "decide", user=users["committee_chair"], outcome="grant",
    amount="12000", reason="Som indstillet")
sweep_due(budget=600)
letter = Document.objects.filter(application=case).order_by("-pk").first()
print(json.dumps({"status": case.status, "letter": letter.title, "kind": letter.kind}))
"""


@pytest.fixture(scope="module")
def nemlogin_demo(tmp_path_factory: Any) -> Iterator[tuple[str, SamlIdp, Path]]:
    var: Path = tmp_path_factory.mktemp("nemlogin-var")
    idp = SamlIdp(var / "idp").start()
    try:
        with serve_demo(var, PULJEFLOW_NEMLOGIN_IDP_METADATA=str(idp.metadata_path)) as base:
            with urllib.request.urlopen(base + "/saml/metadata/", timeout=10) as answer:  # noqa: S310
                idp.trust_sp(answer.read().decode())
            yield base, idp, var
    finally:
        idp.stop()


def _clean(page: Any) -> None:
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert violations(page) == [], page.url


@pytest.fixture
def danish_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_new_association_signs_in_with_mitid_erhverv_applies_and_gets_its_letter(
    danish_page: Any, nemlogin_demo: tuple[str, SamlIdp, Path]
) -> None:
    page = danish_page
    base, idp, var = nemlogin_demo
    page.goto(base + "/login/")
    _clean(page)
    page.click("#nemlogin-login")

    # At the IdP: the AuthnRequest was signed and verified; a person of an unseen CVR.
    page.wait_for_selector("#idp-login")
    assert idp.last_authn_query["SigAlg"].endswith("rsa-sha256")
    page.fill("#cvr", NEW_CVR)
    page.fill("#name", "Karen Frivillig")
    page.fill("#email", "karen@example.org")
    page.click("#idp-login")

    # Back at Puljeflow: the association came from the register; its phone is missing.
    page.wait_for_selector("#id_phone")
    assert "Kontaktoplysninger for Fiktiv Strikkecafé Himmelev (demo)" in page.inner_text("h1")
    assert page.input_value("#id_contact_person") == "Karen Frivillig"
    _clean(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.fill("#id_phone", "55 44 33 22")
    page.click("main button[type=submit]")

    page.wait_for_selector("#nav-acting-for")
    assert "Fiktiv Strikkecafé Himmelev (demo)" in page.inner_text("#nav-acting-for")
    _clean(page)

    page.goto(base + "/applications/new/")
    _clean(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.fill("#id_title", "Lektiehjælp i Eksempelby")
    page.click("main form[data-keep-input] button[type=submit]")
    page.wait_for_url("**/applications/*/edit/**")
    assert page.locator(".alert-success").count() == 1  # "Kladde … oprettet"
    _clean(page)
    page.set_viewport_size({"width": 1366, "height": 900})

    # The rest of the form filled in; the person submits from the review page.
    draft = manage_shell(var, FILL % {"cvr": NEW_CVR})["pk"]
    page.goto(f"{base}/applications/{draft}/edit/review/")
    page.click("#submit-application")
    page.wait_for_url(f"**/applications/{draft}/receipt/")
    _clean(page)
    page.set_viewport_size({"width": 1366, "height": 900})

    # The municipality decides; the decision letter goes to the association's Digital Post.
    decided = manage_shell(var, DECIDE % {"pk": draft})
    assert decided["status"] == "granted" and decided["kind"] == "grant"
    sent = [
        ET.fromstring(path.read_bytes())  # noqa: S314  (written by the demo's own sender)
        for path in sorted((var / "digital_post" / "out").glob("*.xml"))
    ]
    ours = [
        m
        for m in sent
        if m.findtext(f"{MEMO}MessageHeader/{MEMO}Recipient/{MEMO}recipientID") == NEW_CVR
    ]
    letters = [
        m for m in ours if m.findtext(f"{MEMO}MessageHeader/{MEMO}label") == decided["letter"]
    ]
    assert len(letters) == 1, [m.findtext(f"{MEMO}MessageHeader/{MEMO}label") for m in ours]
    content = letters[0].findtext(f"{MEMO}MessageBody/{MEMO}MainDocument/{MEMO}File/{MEMO}content")
    assert base64.b64decode(content or "").startswith(b"%PDF")
    # The person sees on the case page that the letter went to Digital Post.
    page.goto(f"{base}/applications/{draft}/")
    assert "Sendt til Digital Post" in page.inner_text("main")

    # Logging out goes through the IdP (single logout) and ends on the login page.
    page.click("header form[action$='/logout/'] button")
    page.wait_for_selector("#id_username")
    assert idp.last_logout_request is not None
