"""The questionnaire and its results on screen, per role."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import limits
from cases.models import ApplicationStatus, Association, Feedback, FeedbackSummary
from cases.selectors.feedback import year_of
from notifications.models import Kind, Notification
from tests.feedback.scene import answer, answered, decided

pytestmark = pytest.mark.django_db


def _url(application: Any) -> str:
    return reverse("feedback:feedback_answer", args=[application.pk])


def test_the_association_answers_on_its_case(world: SimpleNamespace, client: Any) -> None:
    application = decided(world, association=world.a)
    client.force_login(world.anna)
    page = client.get(_url(application))
    assert page.status_code == 200
    assert b"data-keep-input" in page.content
    response = client.post(
        _url(application),
        {"ease": "4", "time_spent": "half_day", "unclear": ["form", "budget"], "comment": "Fint"},
    )
    assert response.status_code == 302
    saved = Feedback.objects.get(application=application)
    assert (saved.ease, saved.time_spent, saved.unclear, saved.comment) == (
        4,
        "half_day",
        ["form", "budget"],
        "Fint",
    )
    # Answered: thanked, and a second answer is refused (409), not saved twice.
    again = client.get(_url(application))
    assert b'id="feedback-thanks"' in again.content
    assert client.post(_url(application), {"ease": "1"}).status_code == 409
    assert Feedback.objects.filter(application=application).count() == 1


def test_a_refused_answer_keeps_what_was_typed(world: SimpleNamespace, client: Any) -> None:
    application = decided(world, association=world.a)
    client.force_login(world.anna)
    typed = "Ansøgningsskemaet var langt. " * 10
    response = client.post(
        _url(application),
        {"ease": "9", "time_spent": "half_day", "unclear": ["budget"], "comment": typed},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_ease-error"' in content or "form-error-message" in content
    assert typed.strip() in content  # the comment is kept
    assert 'value="half_day" checked' in content or 'value="half_day"' in content
    too_long = client.post(_url(application), {"comment": "x" * (limits.TEXT + 1)})
    assert too_long.status_code == 400
    assert not Feedback.objects.exists()


def test_no_thanks(world: SimpleNamespace, client: Any) -> None:
    application = decided(world, association=world.a, status=ApplicationStatus.REFUSED)
    client.force_login(world.anna)
    response = client.post(_url(application), {"decline": "1", "comment": "ignored"})
    assert response.status_code == 302
    assert Feedback.objects.get(application=application).declined


def test_staff_never_open_a_single_answer(world: SimpleNamespace, client: Any) -> None:
    application = decided(world, association=world.a)
    answer(application, ease=2, comment="Kun til kommunen samlet")
    for user in (world.carl, world.erik, world.frida, world.gustav):
        client.force_login(user)
        response = client.get(_url(application))
        assert response.status_code == 403
        assert b"Kun til kommunen samlet" not in response.content
    # The association itself opens it.
    client.force_login(world.anna)
    assert client.get(_url(application)).status_code == 200


def test_before_the_decision_the_association_is_told_when(
    world: SimpleNamespace, client: Any
) -> None:
    application = decided(world, association=world.a, status=ApplicationStatus.SUBMITTED)
    client.force_login(world.anna)
    assert b'id="feedback-refused"' in client.get(_url(application)).content
    assert client.post(_url(application), {"ease": "3"}).status_code == 409
    assert not Feedback.objects.exists()


def test_the_council_sees_the_results_without_any_association_name(
    world: SimpleNamespace, client: Any
) -> None:
    answered(world, 4, comment="Svaret nummer {i} var ærligt")
    answer(decided(world, association=world.a), ease=1, comment="Lektiecaféen synes det var svært")
    for user in (world.dorte, world.erik, world.frida, world.carl, world.gustav):
        client.force_login(user)
        for url in (
            reverse("feedback:round_results", args=[world.round.pk]),
            reverse("feedback:year_results") + f"?year={year_of(world.round)}",
        ):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            page = response.content.decode()
            assert "Svaret nummer 2 var ærligt" in page  # the comments are there ...
            # ... but no association's name, except where an association wrote one itself.
            names = set(Association.objects.values_list("name", flat=True))
            leaks = [n for n in names if n in page.replace("Lektiecaféen synes", "")]
            assert leaks == [], (user, url, leaks)


def test_a_small_round_shows_only_the_counts_and_says_why(
    world: SimpleNamespace, client: Any
) -> None:
    answered(world, 2, comment="Genkendelig {i}")
    client.force_login(world.erik)
    page = client.get(reverse("feedback:round_results", args=[world.round.pk])).content.decode()
    assert 'id="feedback-suppressed"' in page
    assert "Genkendelig" not in page and "<svg" not in page


def test_the_results_are_reached_from_the_round_and_the_homes(
    world: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.carl)
    inbox = client.get(reverse("inbox:round_inbox", args=[world.round.pk])).content.decode()
    assert reverse("feedback:round_results", args=[world.round.pk]) in inbox
    for user in (world.carl, world.erik, world.frida):
        client.force_login(user)
        home = client.get(reverse("home:home")).content.decode()
        assert reverse("feedback:year_results") in home, user


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_results_page_runs_as_many_queries_at_3_as_at_30_answers(
    world: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.erik)
    url = reverse("feedback:round_results", args=[world.round.pk])
    answered(world, 3)
    small = _queries(client, url)
    answered(world, 27)
    large = _queries(client, url)
    # The frame (session, user, roles with ties, unread notifications); the round; the
    # answers' own fields; the decided applications counted.
    assert small == large == 4 + 3


def test_the_year_page_runs_as_many_queries_at_3_as_at_30_answers(
    world: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.carl)
    url = reverse("feedback:year_results") + f"?year={year_of(world.round)}"
    answered(world, 3)
    small = _queries(client, url)
    answered(world, 27)
    assert _queries(client, url) == small


def test_the_case_officer_sends_the_yearly_summary_to_every_association_once(
    world: SimpleNamespace, client: Any
) -> None:
    year = year_of(world.round)
    answered(world, 3)
    decided(world, association=world.a)  # anna's association applied too
    decided(world, association=world.a, status=ApplicationStatus.SUBMITTED)  # counted once
    decided(world, status=ApplicationStatus.DRAFT)  # a draft is no application
    applied = Association.objects.filter(applications__round=world.round).exclude(
        applications__status=ApplicationStatus.DRAFT
    )
    expected = set(applied.values_list("email", "pk"))
    client.force_login(world.carl)
    url = reverse("feedback:summary_new") + f"?year={year}"
    form = client.get(url)
    assert form.status_code == 200 and b"data-keep-input" in form.content
    assert client.post(url, {"text": "", "year": year}).status_code == 400
    response = client.post(url, {"text": "Vi gør skemaet kortere.", "year": year})
    assert response.status_code == 302
    summary = FeedbackSummary.objects.get(municipality=world.roskilde, year=year)
    assert summary.sent_by == world.carl and summary.recipients == len(expected) == 4
    assert summary.figures["answered"] == 3
    rows = Notification.objects.filter(kind=Kind.FEEDBACK_SUMMARY)
    assert rows.count() == 4  # exactly one per association
    assert all("Vi gør skemaet kortere." in row.body_text for row in rows)
    # Once a year: a second sending is refused and writes nothing.
    again = client.post(url, {"text": "Igen", "year": year})
    assert again.status_code in (400, 409)
    assert Notification.objects.filter(kind=Kind.FEEDBACK_SUMMARY).count() == 4


def test_only_case_officers_send_the_summary(world: SimpleNamespace, client: Any) -> None:
    url = reverse("feedback:summary_new")
    for user in (world.erik, world.frida, world.gustav, world.anna):
        client.force_login(user)
        assert client.post(url, {"text": "Nej"}).status_code == 403, user
    assert not FeedbackSummary.objects.exists()
    client.force_login(world.carl)
    assert client.post(url, {"text": "Ja"}).status_code == 302


def test_the_association_finds_the_summary_as_pdf(world: SimpleNamespace, client: Any) -> None:
    decided(world, association=world.a)
    summary = FeedbackSummary.objects.create(
        municipality=world.roskilde,
        year=year_of(world.round),
        text="Tak",
        figures={"answered": 0, "suppressed": True},
        sent_by=world.carl,
        sent_by_name="carl",
    )
    client.force_login(world.anna)
    listed = client.get(reverse("feedback:summaries")).content.decode()
    pdf_url = reverse("feedback:summary_pdf", args=[summary.pk])
    assert pdf_url in listed
    assert reverse("feedback:summaries") in client.get(reverse("home:home")).content.decode()
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # An association that did not apply in Roskilde that year does not get it.
    client.force_login(world.bo)
    assert client.get(pdf_url).status_code == 404
    assert pdf_url not in client.get(reverse("feedback:summaries")).content.decode()
