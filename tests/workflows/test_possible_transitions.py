"""What a user may do (permission) and what can succeed now (permission and conditions)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from cases.models import Application, ApplicationStatus, Body, Meeting, UsageReportStatus
from workflows import engine
from workflows.chart import flow_chart_dot
from workflows.usage_report import UsageReportFlow

from ..conftest import report_data
from .support import reach, records_of

S = ApplicationStatus


def names(transitions: list[object]) -> set[str]:
    return {t.slug for t in transitions}  # type: ignore[attr-defined]


def test_an_incomplete_draft_may_be_submitted_but_cannot_be_yet(
    world: SimpleNamespace, draft: Application
) -> None:
    draft.activity_description = ""
    draft.save()

    assert "submit" in names(engine.available_transitions(draft, world.anna))
    assert "submit" not in names(engine.possible_transitions(draft, world.anna))
    assert "withdraw" in names(engine.possible_transitions(draft, world.anna))


def test_the_chair_not_present_is_offered_no_recommendation(
    world: SimpleNamespace, draft: Application
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    assert names(engine.possible_transitions(in_review, world.erik)) == {"recommend"}

    Meeting.objects.get(body=Body.COUNCIL).members_present.remove(world.erik)

    assert names(engine.available_transitions(in_review, world.erik)) == {"recommend"}
    assert engine.possible_transitions(in_review, world.erik) == []
    # Nobody else may, present or not.
    assert engine.possible_transitions(in_review, world.dorte) == []


def test_returning_a_report_moves_the_report_by_its_own_flow_and_records_once(
    world: SimpleNamespace, draft: Application
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)
    before = len(records_of(reported))

    returned = engine.perform(reported, "return_report", user=world.carl, reason="Mangler bilag")

    report = returned.usage_reports.get()
    assert (report.status, report.review_reasons) == (UsageReportStatus.RETURNED, "Mangler bilag")
    assert report.history.first().history_user == world.carl
    assert [r.transition for r in records_of(returned)[before:]] == ["return_report"]
    # A new report starts the report's flow again; the returned one stays as it was.
    resubmitted = engine.perform(returned, "submit_report", user=world.anna, **report_data())
    assert UsageReportFlow.awaiting_review(resubmitted) != report


def test_every_registered_flow_has_a_chart() -> None:
    for flow_class in engine.FLOWS.values():
        dot = flow_chart_dot(flow_class)
        assert dot.startswith(f"digraph {flow_class.name} {{")
        for name in engine.transitions_of(flow_class):
            assert f'[label="{name}"]' in dot


def test_the_flow_chart_page_shows_the_report_flow_too(world: SimpleNamespace, client: Any) -> None:
    client.force_login(world.anna)
    html = client.get(reverse("applications:flow_chart")).content.decode()
    assert html.count("<svg") == 2 and 'label="approve"' not in html
    with override("da"):
        report_actions = {
            str(t.label) for ts in engine.transitions_of(UsageReportFlow).values() for t in ts
        }
        report_states = {str(label) for label in UsageReportStatus.labels}
    for words in report_actions | report_states:  # the report's flow in the screens' words
        assert f">{escape(words)}<" in html, words
