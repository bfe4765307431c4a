"""The whole life of an application through the API, each step by the role that takes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Application
from cases.trail.models import TransitionRecord
from tests.factories import PDF_BYTES, ApplicationFactory
from workflows import engine

BASE = "/api/v1"


def take(client: Any, app_id: int, name: str, **fields: Any) -> Any:
    response = client.post(
        f"{BASE}/applications/{app_id}/transitions/{name}", fields, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_an_application_lives_its_whole_life_through_the_api(world: Any, api: Any) -> None:
    anna, carl, erik, frida, dorte = (
        api(u) for u in (world.anna, world.carl, world.erik, world.frida, world.dorte)
    )

    me = anna.get(f"{BASE}/me").json()
    assert [a["name"] for a in me["associations"]] == ["Lektiecaféen"]
    rounds = anna.get(f"{BASE}/rounds").json()["results"]
    assert world.round.pk in [r["id"] for r in rounds]

    created = anna.post(
        f"{BASE}/applications",
        {
            "round": world.round.pk,
            "association": world.a.pk,
            "title": "Lektiecafé",
            "purpose": "Lektiehjælp",
            "target_group": "Børn 7-14 år",
            "activity_description": "Hver tirsdag",
            "focus_areas": [world.focus.pk],
            "volunteers": 10,
            "members": 30,
            "participants": 50,
            "amount_requested": "25000.00",
            "other_funding": "0",
            "declarations": {"correct": True},
            "budget_lines": [
                {"description": "Materialer", "amount": "15000"},
                {"description": "Udflugt", "amount": "10000"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["case_number"]
    assert body["amount_requested"] == "25000.00"
    assert [line["amount"] for line in body["budget_lines"]] == ["15000.00", "10000.00"]
    app_id = body["id"]

    for kind in ("accounts", "budget", "bylaws"):
        upload = SimpleUploadedFile(f"{kind}.pdf", PDF_BYTES, content_type="application/pdf")
        response = anna.post(
            f"{BASE}/applications/{app_id}/attachments", {"kind": kind, "file": upload}
        )
        assert response.status_code == 201, response.json()
    listed = anna.get(f"{BASE}/applications/{app_id}/attachments").json()
    assert sorted(a["kind"] for a in listed["results"]) == ["accounts", "budget", "bylaws"]

    names = [t["name"] for t in anna.get(f"{BASE}/applications/{app_id}/transitions").json()]
    assert names == ["submit", "withdraw"]
    assert take(anna, app_id, "submit")["status"] == "submitted"

    offered = {t["name"]: t for t in carl.get(f"{BASE}/applications/{app_id}/transitions").json()}
    assert offered["request_info"]["fields"] == [
        {"name": "question", "type": "text", "choices": []}
    ]
    take(carl, app_id, "request_info", question="Hvor mange børn kommer?")
    take(anna, app_id, "provide_info", answer="Omkring 50.")
    assert (
        take(carl, app_id, "accept", reason="Opfylder kriterierne")["status"] == "in_council_review"
    )

    council = carl.post(
        f"{BASE}/meetings",
        {
            "round": world.round.pk,
            "body": "council",
            "date": "2026-02-01",
            "members_present": [world.dorte.pk, world.erik.pk],
        },
        format="json",
    )
    assert council.status_code == 201, council.json()
    council_id = council.json()["id"]
    items = carl.post(f"{BASE}/meetings/{council_id}/items", {"application": app_id}, format="json")
    assert items.status_code == 201, items.json()
    assert items.json()["items"][0]["application"]["id"] == app_id

    # Dorte sits on the association's board: she cannot assess, and says so on the record.
    refused = dorte.post(
        f"{BASE}/applications/{app_id}/assessments",
        {"meeting": council_id, "outcome": "grant"},
        format="json",
    )
    assert refused.status_code == 403
    declared = dorte.post(
        f"{BASE}/applications/{app_id}/conflicts", {"reason": "Bestyrelsesmedlem"}, format="json"
    )
    assert declared.status_code == 201, declared.json()
    assessed = erik.post(
        f"{BASE}/applications/{app_id}/assessments",
        {"meeting": council_id, "outcome": "partial", "amount": "20000", "comment": "Lille pulje"},
        format="json",
    )
    assert assessed.status_code == 201, assessed.json()
    assert assessed.json()["amount"] == "20000.00"

    recommended = take(
        erik,
        app_id,
        "recommend",
        meeting=council_id,
        outcome="partial",
        amount="20000",
        reason="Puljen er lille",
    )
    assert recommended["status"] == "recommended"
    assert recommended["recommended_amount"] == "20000.00"

    committee = carl.post(
        f"{BASE}/meetings",
        {
            "round": world.round.pk,
            "body": "committee",
            "date": "2026-02-15",
            "members_present": [world.frida.pk],
        },
        format="json",
    ).json()
    carl.post(f"{BASE}/meetings/{committee['id']}/items", {"application": app_id}, format="json")
    agenda = frida.get(f"{BASE}/meetings/{committee['id']}").json()
    assert agenda["totals"]["requested"] == "25000.00"
    assert agenda["totals"]["pool"] == "325000.00"

    # A grant of less than requested: the association is heard first (fvl. § 19), with a file.
    heard = take(carl, app_id, "start_hearing", facts="Materialebudgettet er højt.")
    assert heard["status"] == "in_hearing"
    offered = {t["name"]: t for t in anna.get(f"{BASE}/applications/{app_id}/transitions").json()}
    assert {"name": "documents", "type": "documents", "choices": []} in offered["answer_hearing"][
        "fields"
    ]
    answered = anna.post(
        f"{BASE}/applications/{app_id}/transitions/answer_hearing",
        {
            "answer": "Se vedlagte tilbud.",
            "documents": [SimpleUploadedFile("tilbud.pdf", PDF_BYTES)],
        },
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "recommended"
    hearings = anna.get(f"{BASE}/applications/{app_id}").json()["hearings"]
    assert [(h["outcome"], h["answer"]) for h in hearings] == [("answered", "Se vedlagte tilbud.")]
    assert [a["original_name"] for a in hearings[0]["attachments"]] == ["tilbud.pdf"]

    decided = take(
        frida,
        app_id,
        "decide",
        meeting=committee["id"],
        outcome="grant",
        amount="20000",
        reason="Som indstillet",
    )
    assert decided["status"] == "granted"
    assert decided["granted_amount"] == "20000.00"

    take(carl, app_id, "pay", amount="20000", reference="UDB-1", paid_on="2027-03-01")
    budget = anna.get(f"{BASE}/applications/{app_id}").json()["budget_lines"]
    assert len(budget) == 2
    offered = {t["name"]: t for t in anna.get(f"{BASE}/applications/{app_id}/transitions").json()}
    assert {"name": "lines", "type": "lines", "choices": []} in offered["submit_report"]["fields"]
    # A grant of 20.000 kr. needs the accounts: the report goes as multipart with the file.
    reported = anna.post(
        f"{BASE}/applications/{app_id}/transitions/submit_report",
        {
            "description": "Vi holdt lektiecafé",
            "lines": '[{"description": "Materialer", "spent": "20000"}]',
            "attachment_accounts": SimpleUploadedFile("regnskab.pdf", PDF_BYTES),
        },
    )
    assert reported.status_code == 200, reported.json()
    assert reported.json()["status"] == "report_submitted"
    closed = take(carl, app_id, "approve_report")
    assert closed["status"] == "closed"

    minutes = frida.get(f"{BASE}/meetings/{committee['id']}/minutes").json()
    assert [a["transition"] for a in minutes["items"][0]["actions"]] == ["decide"]
    assert minutes["totals"]["granted_here"] == "20000.00"
    council_minutes = erik.get(f"{BASE}/meetings/{council_id}/minutes").json()
    assert council_minutes["items"][0]["recused"] == [world.dorte.pk]

    trail = anna.get(f"{BASE}/applications/{app_id}/trail").json()["results"]
    # The association reads every step of its case, not dorte's declaration of her tie
    # (cases/trail/disclosure.py); the auditor reads every record as stored.
    transitions = [r["transition"] for r in trail]
    assert transitions == [
        "submit",
        "request_info",
        "provide_info",
        "accept",
        "recommend",
        "start_hearing",
        "answer_hearing",
        "decide",
        "pay",
        "submit_report",
        "approve_report",
    ]
    assert "Bestyrelsesmedlem" not in str(trail)
    gustav = api(world.gustav)
    whole = gustav.get(f"{BASE}/applications/{app_id}/trail").json()["results"]
    assert "declare_conflict" in [r["transition"] for r in whole]
    assert TransitionRecord.objects.filter(application_id=app_id).count() == len(whole)
    assert Application.objects.get(pk=app_id).granted_amount == Decimal("20000.00")


def test_the_list_filters_by_in_hearing(world: Any, api: Any) -> None:
    heard, waiting = (
        ApplicationFactory(round=world.round, association=world.a, title=title)
        for title in ("Lektiecafé", "Besøgsven")
    )
    heard, waiting = (_submitted(world, application) for application in (heard, waiting))
    engine.perform(heard, "start_hearing", user=world.carl, facts="CVR viser ingen bestyrelse.")

    response = api(world.carl).get(f"{BASE}/applications", {"status": "in_hearing"})

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [heard.pk]
    assert rows[0]["status"] == "in_hearing"


def _submitted(world: Any, application: Any) -> Any:
    application.focus_areas.set([world.focus])
    return engine.perform(application, "submit", user=world.anna)
