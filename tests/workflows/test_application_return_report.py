"""return_report: report_submitted → paid, by carl, saying what must be corrected."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, Role, UsageReport
from cases.trail.chain import verify_records
from workflows.engine import perform

from ..conftest import report_data
from .support import (
    S,
    assert_recorded,
    reach,
    records_of,
    snapshot,
)

REASON = "Regnskabet mangler bilag for udflugten."


def test_carl_returns_the_usage_report_for_correction(
    world: SimpleNamespace, draft: Application
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)

    returned = perform(reported, "return_report", user=world.carl, reason=REASON)

    assert_recorded(
        returned,
        records_before=6,
        transition="return_report",
        from_state=S.REPORT_SUBMITTED,
        to_state=S.PAID,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=REASON,
        payload={
            "report": UsageReport.objects.get(application=returned).pk,
            "letter": returned.documents.get(kind="report_returned").pk,
        },
    )
    # The returned report stays on file, marked returned with the reasons.
    report = UsageReport.objects.get(application=returned)
    assert (report.status, report.review_reasons) == ("returned", REASON)
    assert report.history.first().history_user == world.carl


def test_anna_submits_a_corrected_report_after_it_was_returned(
    world: SimpleNamespace, draft: Application
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)
    returned = perform(reported, "return_report", user=world.carl, reason=REASON)

    again = perform(returned, "submit_report", user=world.anna, **report_data(description="Rettet"))

    assert again.status == S.REPORT_SUBMITTED
    assert list(
        UsageReport.objects.filter(application=again)
        .order_by("id")
        .values_list("description", "status")
    ) == [("Vi holdt lektiecafé", "returned"), ("Rettet", "submitted")]
    assert verify_records(records_of(again)) is None


@pytest.mark.parametrize(
    "data", [{}, {"reason": ""}, {"reason": "  "}], ids=["missing", "empty", "blank"]
)
def test_it_refuses_returning_a_report_without_saying_what_to_correct(
    world: SimpleNamespace, draft: Application, data: dict[str, Any]
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)
    before = snapshot(reported)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(reported, "return_report", user=world.carl, **data)

    assert caught.value.errors == {
        "reason": ["Say what the association must correct in the report."]
    }
    assert snapshot(reported) == before
