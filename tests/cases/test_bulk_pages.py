"""The bulk page: a whole agenda recommended or decided in one submission, all or nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from cases.models import AgendaItem, Application, Body, Document, Meeting, RoundCriterion
from cases.permissions import forget_conflicts
from cases.roles import forget_profile
from cases.services.meetings import agenda_add, conflict_declare, meeting_create
from cases.trail.models import TransitionRecord
from notifications.models import Notification
from tests.conftest import NO_HEARING, on_agenda
from tests.factories import ApplicationFactory
from workflows import bulk, engine

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- building the scene --------------------------------------------------------------------


def in_review(world: SimpleNamespace, association: Any, amount: str = "25000") -> Application:
    """An application accepted for council review and put on the council meeting's agenda."""
    application = ApplicationFactory(round=world.round, association=association)
    application.focus_areas.set([world.focus])
    applicant = world.anna if association == world.a else world.bo
    application = engine.perform(application, "submit", user=applicant)
    application = engine.perform(application, "accept", user=world.carl)
    on_agenda(application, world)
    return application


def recommended(
    world: SimpleNamespace, association: Any, *, outcome: str = "partial", amount: str = "20000"
) -> Application:
    """An application the council recommended, on the committee meeting's agenda."""
    application = in_review(world, association)
    data: dict[str, Any] = {"outcome": outcome, "reason": "Indstillet af rådet"}
    if outcome == "partial":
        data["amount"] = amount
    application = engine.perform(application, "recommend", user=world.erik, **data)
    on_agenda(application, world)
    return application


def meeting_of(body: str) -> Meeting:
    return Meeting.objects.get(body=body)


def url(meeting: Meeting) -> str:
    return reverse("bulk:meeting_bulk", args=[meeting.pk])


def after_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def row(application: Application, **fields: str) -> dict[str, str]:
    """The POST fields of one row, with the version the page showed."""
    data = {"seen_version": str(application.version), **fields}
    return {f"row-{application.pk}-{name}": value for name, value in data.items()}


def post(
    client: Any, meeting: Meeting, *rows: dict[str, str], lang: str = "en", **extra: str
) -> Any:
    """POST the rows; in Danish, amounts are typed the Danish way ("12.500,50").

    With the page's § 19 ground for refusals and cuts (the council's page ignores it),
    unless ``extra`` says otherwise."""
    data: dict[str, str] = dict(NO_HEARING)
    for fields in rows:
        data.update(fields)
    data.update(extra)
    return client.post(url(meeting), data, HTTP_ACCEPT_LANGUAGE=lang)


def snapshot() -> tuple[Any, ...]:
    """Everything a bulk attempt could change."""
    return (
        sorted(Application.objects.values_list("pk", "status", "version", "granted_amount")),
        Application.history.count(),
        TransitionRecord.objects.count(),
        Document.objects.count(),
        Notification.objects.count(),
        letter_files(),
    )


def letter_files() -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "documents").rglob("*.pdf"))


def html_of(response: Any) -> str:
    return response.content.decode()


# --- the council ---------------------------------------------------------------------------


def test_erik_records_the_councils_recommendations_for_the_whole_agenda(
    world: SimpleNamespace, as_user: Any
) -> None:
    first, second, third = (in_review(world, world.b) for _ in range(3))
    meeting = meeting_of(Body.COUNCIL)
    client = as_user(world.erik)
    page = client.get(url(meeting), **EN)
    assert page.status_code == 200
    assert all(f'id="row-{a.pk}"' in html_of(page) for a in (first, second, third))

    response = post(
        client,
        meeting,
        row(first, outcome="grant"),
        row(second, outcome="partial", amount="12.500,50", reason="Puljen er lille"),
        row(third, outcome="refuse", reason="Ligger uden for puljens formål"),
        lang="da",
    )

    assert response.status_code == 302
    assert response.url == after_url(meeting)
    first, second, third = (Application.objects.get(pk=a.pk) for a in (first, second, third))
    assert [a.status for a in (first, second, third)] == ["recommended"] * 3
    assert [a.recommended_amount for a in (first, second, third)] == [
        Decimal("25000.00"),
        Decimal("12500.50"),
        Decimal("0.00"),
    ]
    records = TransitionRecord.objects.filter(transition="recommend")
    assert records.count() == 3
    assert {r.payload["meeting"] for r in records} == {meeting.pk}
    with override("en"):
        shown = [str(m) for m in client.get(response.url, **EN).context["messages"]]
    assert "3 punkter registreret." in shown


def test_one_bad_row_changes_nothing_and_points_at_the_row(
    world: SimpleNamespace, as_user: Any
) -> None:
    good, bad, also_good = (in_review(world, world.b) for _ in range(3))
    meeting = meeting_of(Body.COUNCIL)
    before = snapshot()

    response = post(
        as_user(world.erik),
        meeting,
        row(good, outcome="grant"),
        row(bad, outcome="partial", reason="Puljen er lille"),  # no amount
        row(also_good, outcome="refuse", reason="Uden for formålet"),
    )

    assert response.status_code == 400
    assert snapshot() == before
    html = html_of(response)
    forms = {f.application.pk: f for f in response.context["failed"]}
    assert list(forms) == [bad.pk]
    assert forms[bad.pk].errors["amount"]
    # The error stands next to the field, and the summary links to the row.
    assert f'id="id_row-{bad.pk}-amount-error"' in html
    assert f'href="#row-{bad.pk}"' in html
    # What the chair typed is still there.
    assert "Uden for formålet</textarea>" in html


def test_a_refusal_without_reasons_is_refused_on_its_row(
    world: SimpleNamespace, as_user: Any
) -> None:
    ok, bad = in_review(world, world.b), in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    before = snapshot()
    response = post(
        as_user(world.erik), meeting, row(ok, outcome="grant"), row(bad, outcome="refuse")
    )
    assert response.status_code == 400
    assert snapshot() == before
    assert [f.application.pk for f in response.context["failed"]] == [bad.pk]
    assert "reason" in response.context["failed"][0].errors


def test_rows_left_blank_are_not_touched(world: SimpleNamespace, as_user: Any) -> None:
    recorded, left = in_review(world, world.b), in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    response = post(as_user(world.erik), meeting, row(recorded, outcome="grant"), row(left))
    assert response.status_code == 302
    assert Application.objects.get(pk=recorded.pk).status == "recommended"
    assert Application.objects.get(pk=left.pk).status == "in_council_review"


def test_a_page_with_every_row_blank_records_nothing_and_says_so(
    world: SimpleNamespace, as_user: Any
) -> None:
    application = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    before = snapshot()
    with override("en"):
        response = post(as_user(world.erik), meeting, row(application))
    assert response.status_code == 400
    assert snapshot() == before
    assert "fill in at least one row" in html_of(response)


def test_an_outcome_left_out_of_a_filled_in_row_is_an_error_not_a_skip(
    world: SimpleNamespace, as_user: Any
) -> None:
    application = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    response = post(as_user(world.erik), meeting, row(application, reason="Glemte at vælge"))
    assert response.status_code == 400
    assert "outcome" in response.context["failed"][0].errors
    assert Application.objects.get(pk=application.pk).status == "in_council_review"


def test_erik_conflicted_on_an_item_sees_it_disabled_and_a_forged_post_fails_on_its_row(
    world: SimpleNamespace, as_user: Any
) -> None:
    free, tied = in_review(world, world.b), in_review(world, world.b)
    conflict_declare(application=tied, member=world.erik, reason="Min søster er formand")
    meeting = meeting_of(Body.COUNCIL)
    client = as_user(world.erik)

    html = html_of(client.get(url(meeting), **EN))
    assert "you are conflicted" in html.lower()
    assert f'name="row-{free.pk}-outcome"' in html
    assert f'name="row-{tied.pk}-outcome"' not in html

    tied.refresh_from_db()
    before = snapshot()
    response = post(client, meeting, row(free, outcome="grant"), row(tied, outcome="grant"))
    assert response.status_code == 400
    assert snapshot() == before
    assert [f.application.pk for f in response.context["failed"]] == [tied.pk]
    assert f'id="row-{tied.pk}-errors"' in html_of(response)

    # Without the forged row the rest is recorded; the conflicted item stays for the vice-chair.
    response = post(client, meeting, row(free, outcome="grant"))
    assert response.status_code == 302
    assert Application.objects.get(pk=free.pk).status == "recommended"
    assert Application.objects.get(pk=tied.pk).status == "in_council_review"


def test_a_row_changed_by_someone_else_meanwhile_shows_that_it_moved_on(
    world: SimpleNamespace, as_user: Any
) -> None:
    steady, moved = in_review(world, world.b), in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    seen_version = moved.version
    engine.perform(moved, "withdraw", user=world.bo, reason="Vi har fået andre midler")
    before = snapshot()

    response = post(
        as_user(world.erik),
        meeting,
        row(steady, outcome="grant"),
        {f"row-{moved.pk}-seen_version": str(seen_version), f"row-{moved.pk}-outcome": "grant"},
    )

    assert response.status_code == 400
    assert snapshot() == before
    failed = response.context["failed"]
    assert [f.application.pk for f in failed] == [moved.pk]
    assert "moved on" in " ".join(failed[0].non_field_errors())
    # The row stays in the table with the chair's input, not among the items dealt with.
    assert f'id="row-{moved.pk}"' in html_of(response)


# --- the committee -------------------------------------------------------------------------


def small_pool(world: SimpleNamespace, amount: str) -> None:
    world.round.pool_amount = Decimal(amount)
    world.round.save()


def test_frida_decides_the_whole_agenda_as_recommended_in_one_click(
    world: SimpleNamespace, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    items = [recommended(world, world.b) for _ in range(3)]
    meeting = meeting_of(Body.COMMITTEE)
    client = as_user(world.frida)
    page = client.get(url(meeting), **EN)
    # The form arrives filled in with the council's recommendation: submit it as it stands.
    forms = [form for _row, form in page.context["open_rows"]]
    data: dict[str, str] = {}
    for form in forms:
        for field in form:
            value = field.value()
            data[field.html_name] = "" if value is None else str(value)
    assert data[f"row-{items[0].pk}-action"] == "decide"
    assert data[f"row-{items[0].pk}-outcome"] == "grant"
    # 20,000 of the 25,000 asked: a cut, so the page's § 19 ground (a hearing was not held).
    data.update(NO_HEARING)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting), data, **EN)

    assert response.status_code == 302
    for application in items:
        application.refresh_from_db()
        assert application.status == "granted"
        assert application.granted_amount == Decimal("20000.00")
        assert application.decision_reasons == "Indstillet af rådet"
    assert Document.objects.filter(kind__in=["grant", "partial_grant"]).count() == 3
    assert len(letter_files()) == 3
    assert len(mail.outbox) >= 3


def test_a_decision_beyond_the_pool_is_refused_on_the_row_that_crosses_it(
    world: SimpleNamespace, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    small_pool(world, "50000")
    first, second, third = (recommended(world, world.b) for _ in range(3))
    meeting = meeting_of(Body.COMMITTEE)
    before = snapshot()
    rows = [
        row(a, action="decide", outcome="grant", amount="20000", reason="Som indstillet")
        for a in (first, second, third)
    ]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(as_user(world.frida), meeting, *rows)

    assert response.status_code == 400
    assert snapshot() == before
    assert callbacks == []
    assert mail.outbox == []
    failed = response.context["failed"]
    assert [f.application.pk for f in failed] == [third.pk]
    assert "above the pool" in " ".join(failed[0].errors["amount"])
    # The totals the server shows after the failure are what the chair entered.
    totals = response.context["totals"]
    assert totals["entered"] == Decimal("60000")
    assert totals["remaining"] == Decimal("-10000")


def test_a_letter_made_during_a_rolled_back_attempt_leaves_nothing(
    world: SimpleNamespace, as_user: Any, monkeypatch: Any
) -> None:
    import workflows.application

    good, bad = recommended(world, world.b), recommended(world, world.b)
    meeting = meeting_of(Body.COMMITTEE)
    written: list[int] = []
    original = workflows.application.decision_letter_create

    def spy(**kwargs: Any) -> Document:
        document = original(**kwargs)
        written.append(document.pk)
        return document

    monkeypatch.setattr(workflows.application, "decision_letter_create", spy)
    response = post(
        as_user(world.frida),
        meeting,
        row(good, action="decide", outcome="grant", amount="20000", reason="Som indstillet"),
        row(bad, action="decide", outcome="grant", amount="30000", reason="Mere end ansøgt"),
    )
    assert response.status_code == 400
    assert len(written) == 1  # the good row's letter was made, then rolled back ...
    assert not Document.objects.filter(pk=written[0]).exists()
    assert letter_files() == []  # ... and nothing was printed for it


def test_frida_confirms_an_overrun_with_reasons_and_it_is_recorded(
    world: SimpleNamespace, as_user: Any
) -> None:
    small_pool(world, "50000")
    items = [recommended(world, world.b) for _ in range(3)]
    meeting = meeting_of(Body.COMMITTEE)
    rows = [
        row(a, action="decide", outcome="grant", amount="20000", reason="Som indstillet")
        for a in items
    ]
    client = as_user(world.frida)

    # Confirmed without reasons: still refused, and the page points at the reasons.
    response = post(client, meeting, *rows, confirm_overrun="on")
    assert response.status_code == 400
    assert response.context["overrun"].errors["overrun_reason"]
    assert Application.objects.filter(status="granted").count() == 0

    response = post(
        client,
        meeting,
        *rows,
        confirm_overrun="on",
        overrun_reason="Udvalget prioriterer ensomhedsindsatsen",
    )
    assert response.status_code == 302
    assert Application.objects.filter(status="granted").count() == 3
    records = {
        r.application_id: r.payload
        for r in TransitionRecord.objects.filter(transition="decide").order_by("seq")
    }
    assert "overrun" not in records[items[0].pk] and "overrun" not in records[items[1].pk]
    overrun = records[items[2].pk]["overrun"]
    assert overrun["reason"] == "Udvalget prioriterer ensomhedsindsatsen"
    assert Decimal(overrun["total"]) == Decimal("60000")


def test_frida_cuts_the_amounts_to_fit_the_pool(world: SimpleNamespace, as_user: Any) -> None:
    small_pool(world, "50000")
    first, second, third = (recommended(world, world.b) for _ in range(3))
    meeting = meeting_of(Body.COMMITTEE)
    response = post(
        as_user(world.frida),
        meeting,
        row(first, action="decide", outcome="grant", amount="20.000,00", reason="Som indstillet"),
        row(second, action="decide", outcome="grant", amount="20000", reason="Som indstillet"),
        row(third, action="decide", outcome="grant", amount="9999.50", reason="Puljen er brugt"),
        lang="da",
    )
    assert response.status_code == 302
    granted = [Application.objects.get(pk=a.pk).granted_amount for a in (first, second, third)]
    assert granted == [Decimal("20000.00"), Decimal("20000.00"), Decimal("9999.50")]
    assert not any(
        "overrun" in r.payload for r in TransitionRecord.objects.filter(transition="decide")
    )


def test_frida_sends_one_item_back_refuses_one_and_leaves_one_for_later(
    world: SimpleNamespace, as_user: Any
) -> None:
    back, refused, later = (recommended(world, world.b) for _ in range(3))
    meeting = meeting_of(Body.COMMITTEE)
    response = post(
        as_user(world.frida),
        meeting,
        row(back, action="send_back", reason="Rådet skal se på budgettet igen"),
        row(refused, action="decide", outcome="refuse", reason="Uden for formålet"),
        row(later, action="skip", outcome="grant"),
    )
    assert response.status_code == 302
    statuses = [Application.objects.get(pk=a.pk).status for a in (back, refused, later)]
    assert statuses == ["in_council_review", "refused", "recommended"]
    assert TransitionRecord.objects.get(application=back, transition="send_back").reason == (
        "Rådet skal se på budgettet igen"
    )


def test_a_send_back_without_reasons_fails_on_its_row(world: SimpleNamespace, as_user: Any) -> None:
    back = recommended(world, world.b)
    meeting = meeting_of(Body.COMMITTEE)
    response = post(as_user(world.frida), meeting, row(back, action="send_back"))
    assert response.status_code == 400
    assert response.context["failed"][0].errors["reason"]
    assert Application.objects.get(pk=back.pk).status == "recommended"


def test_frida_conflicted_on_an_item_cannot_decide_it_even_by_a_forged_post(
    world: SimpleNamespace, as_user: Any
) -> None:
    free, tied = recommended(world, world.b), recommended(world, world.b)
    conflict_declare(application=tied, member=world.frida, reason="Jeg sidder i bestyrelsen")
    meeting = meeting_of(Body.COMMITTEE)
    client = as_user(world.frida)
    html = html_of(client.get(url(meeting), **EN))
    assert f'name="row-{tied.pk}-action"' not in html
    assert "vice-chair records this item individually" in html

    tied.refresh_from_db()
    response = post(
        client,
        meeting,
        row(free, action="decide", outcome="grant", amount="20000", reason="Som indstillet"),
        row(tied, action="decide", outcome="grant", amount="20000", reason="Som indstillet"),
    )
    assert response.status_code == 400
    assert [f.application.pk for f in response.context["failed"]] == [tied.pk]
    # Issue 16: the refusal says she is disqualified and another chair must act.
    assert "disqualified" in " ".join(response.context["failed"][0].non_field_errors())
    assert Application.objects.filter(status="granted").count() == 0


def test_an_unreadable_amount_is_an_error_next_to_the_field(
    world: SimpleNamespace, as_user: Any
) -> None:
    application = recommended(world, world.b)
    meeting = meeting_of(Body.COMMITTEE)
    response = post(
        as_user(world.frida),
        meeting,
        row(application, action="decide", outcome="grant", amount="tyve tusind", reason="x"),
    )
    assert response.status_code == 400
    assert response.context["failed"][0].errors["amount"]
    assert f'id="id_row-{application.pk}-amount-error"' in html_of(response)


# --- the service on its own ------------------------------------------------------------------


def test_the_service_refuses_a_row_for_an_application_not_on_the_agenda(
    world: SimpleNamespace,
) -> None:
    on_it = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    elsewhere = ApplicationFactory(round=world.round, association=world.b)
    result = bulk.bulk_record(
        meeting,
        [
            {"application": on_it.pk, "action": "recommend", "outcome": "grant"},
            {"application": elsewhere.pk, "action": "recommend", "outcome": "grant"},
            {"application": on_it.pk, "action": "recommend", "outcome": "grant"},
            {"application": on_it.pk, "action": "decide", "outcome": "grant"},
        ],
        user=world.erik,
    )
    assert not result.ok and result.recorded == []
    assert [e.index for e in result.errors] == [1, 2, 3]
    assert Application.objects.get(pk=on_it.pk).status == "in_council_review"


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "name", "status"),
    [
        (Body.COUNCIL, "dorte", 403),  # a council member, not the chair
        (Body.COUNCIL, "carl", 403),
        (Body.COUNCIL, "gustav", 403),
        (Body.COUNCIL, "frida", 403),  # the committee's chair does not record for the council
        (Body.COUNCIL, "ivan", 404),
        (Body.COUNCIL, "helle", 404),
        (Body.COUNCIL, "anna", 404),
        (Body.COUNCIL, "erik", 200),
        (Body.COMMITTEE, "erik", 403),  # the council's chair does not decide
        (Body.COMMITTEE, "dorte", 403),
        (Body.COMMITTEE, "carl", 403),
        (Body.COMMITTEE, "gustav", 403),
        (Body.COMMITTEE, "ivan", 404),  # a committee chair of another municipality
        (Body.COMMITTEE, "helle", 404),
        (Body.COMMITTEE, "anna", 404),
        (Body.COMMITTEE, "frida", 200),
    ],
)
def test_only_the_chair_of_the_body_opens_the_bulk_page(
    world: SimpleNamespace, as_user: Any, body: str, name: str, status: int
) -> None:
    application = recommended(world, world.b) if body == Body.COMMITTEE else None
    if application is None:
        in_review(world, world.b)
    meeting = meeting_of(body)
    client = as_user(getattr(world, name))
    assert client.get(url(meeting)).status_code == status


@pytest.mark.parametrize("name", ["dorte", "carl", "ivan", "anna"])
def test_a_post_by_anyone_but_the_chair_changes_nothing(
    world: SimpleNamespace, as_user: Any, name: str
) -> None:
    application = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    before = snapshot()
    response = post(as_user(getattr(world, name)), meeting, row(application, outcome="grant"))
    assert response.status_code in (403, 404)
    assert snapshot() == before
    # The same request by the chair goes through: the denial came from the rule.
    assert post(as_user(world.erik), meeting, row(application, outcome="grant")).status_code == 302


# --- queries ---------------------------------------------------------------------------------


def agenda_of(world: SimpleNamespace, body: str, n: int) -> Meeting:
    """A meeting with n items in the state its body treats, plus a few already dealt with."""
    meeting = Meeting.objects.filter(body=body).first() or meeting_create(
        grant_round=world.round,
        body=body,
        date=datetime.date(2027, 3, 1),
        members_present=[world.erik if body == Body.COUNCIL else world.frida],
        acting_user=world.carl,
    )
    status = "in_council_review" if body == Body.COUNCIL else "recommended"
    while meeting.agenda_items.count() < n:
        position = meeting.agenda_items.count() + 1
        done = position % 5 == 0
        application = ApplicationFactory(
            round=world.round,
            association=world.a if position % 2 else world.b,
            complete=False,
            status="granted" if done else status,
            recommendation_outcome="" if body == Body.COUNCIL else "partial",
            recommended_amount=None if body == Body.COUNCIL else Decimal("20000"),
            recommendation_reasons="" if body == Body.COUNCIL else "Puljen er lille",
            granted_amount=Decimal("15000") if done else None,
        )
        AgendaItem.objects.create(meeting=meeting, application=application, position=position)
        if position % 7 == 0:
            conflict_declare(
                application=application,
                member=world.erik if body == Body.COUNCIL else world.frida,
                reason="Tæt familie i bestyrelsen",
            )
    return meeting


@pytest.mark.parametrize("body", [Body.COUNCIL, Body.COMMITTEE])
def test_the_bulk_page_runs_the_same_queries_for_10_and_300_items(
    world: SimpleNamespace, client: Any, body: str
) -> None:
    chair = world.erik if body == Body.COUNCIL else world.frida
    client.force_login(chair)
    for position, title in enumerate(("Udsatte børn", "Frivillige", "Lokal forankring")):
        RoundCriterion.objects.create(round=world.round, position=position, title=title)

    def count(meeting: Meeting) -> int:
        forget_profile(chair)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(meeting))
        assert response.status_code == 200
        return len(captured)

    meeting = agenda_of(world, body, 10)
    small = count(meeting)
    agenda_of(world, body, 300)
    large = count(meeting)
    # session, user, staff roles with association ties, the meeting with its round and
    # municipality, the agenda with applications and associations, the chair's declared
    # conflicts, who is present with the body's members (the quorum, one statement), the
    # round's grants so far, and the header's count of unread notifications (a context
    # processor); at a council meeting also the round's criteria every row may cite
    assert small == large == (10 if body == Body.COUNCIL else 9)


def test_the_chair_not_registered_as_present_is_told_so(
    world: SimpleNamespace, as_user: Any
) -> None:
    application = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    meeting.members_present.remove(world.erik)
    client = as_user(world.erik)
    assert 'id="bulk-not-present"' in html_of(client.get(url(meeting), **EN))
    response = post(client, meeting, row(application, outcome="grant"))
    assert response.status_code == 400
    assert "not registered as present" in " ".join(response.context["failed"][0].non_field_errors())
    forget_conflicts(application)


def test_an_item_added_to_the_agenda_after_the_page_was_drawn_is_left_alone(
    world: SimpleNamespace, as_user: Any
) -> None:
    first = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    late = ApplicationFactory(round=world.round, association=world.b)
    late.focus_areas.set([world.focus])
    late = engine.perform(late, "submit", user=world.bo)
    late = engine.perform(late, "accept", user=world.carl)
    agenda_add(meeting=meeting, applications=[late], acting_user=world.carl)
    response = post(as_user(world.erik), meeting, row(first, outcome="grant"))
    assert response.status_code == 302
    assert Application.objects.get(pk=late.pk).status == "in_council_review"


def test_a_cut_without_a_hearing_or_a_ground_is_refused_and_the_page_says_section_19(
    world: SimpleNamespace, as_user: Any
) -> None:
    item = recommended(world, world.b)
    meeting = meeting_of(Body.COMMITTEE)
    client = as_user(world.frida)
    before = snapshot()
    cut = row(item, action="decide", outcome="grant", amount="20000", reason="Som indstillet")

    response = post(client, meeting, cut, hearing_exception="", hearing_exception_reason="")

    assert response.status_code == 400
    assert "forvaltningsloven § 19" in html_of(response)
    assert response.context["overrun"].errors["hearing_exception"]
    assert snapshot() == before
    assert post(client, meeting, cut).status_code == 302  # with the page's ground
    record = TransitionRecord.objects.get(transition="decide")
    assert record.payload["hearing"]["kind"] == "exception"
