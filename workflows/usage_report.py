"""The life of one usage report (afrapportering), in one file.

    submitted ─return_report→ returned;  submitted ─approve→ approved

A report is reviewed as part of its application's transitions ``return_report`` and
``approve_report`` (workflows/application.py): the application's row is locked by
the engine, the report changes in the same database transaction, and the record
of what happened is the application's (one transition record, on its chain). So this
flow writes the report's row with its history and no transition record of its own.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from viewflow import fsm

from cases.models import Application, UsageReport, UsageReportStatus
from workflows import rules
from workflows.flow import Flow

R = UsageReportStatus


class UsageReportFlow(Flow):
    """The case officer's review of a report the association has submitted."""

    name = "usage_report"
    model = UsageReport
    states = UsageReportStatus
    state = fsm.State(UsageReportStatus, default=R.SUBMITTED)
    initial = R.SUBMITTED
    terminal = frozenset({R.RETURNED, R.APPROVED})  # a returned report is replaced by a new one

    def __init__(self, report: UsageReport, *, actor: Any = None, role: str = "") -> None:
        super().__init__(report, actor=actor, role=role)
        self.report = report

    @property
    def case(self) -> Application:
        return self.report.application

    @state.getter()
    def _get_status(self) -> str:
        return self.report.status

    @state.setter()
    def _set_status(self, value: str) -> None:
        self.report.status = value

    @classmethod
    def awaiting_review(cls, application: Application) -> UsageReport | None:
        """The report the association submitted last, while it awaits review."""
        return (
            UsageReport.objects.filter(application=application, status=R.SUBMITTED)
            .order_by("-submitted_at", "-id")
            .first()
        )

    @state.transition(
        source=R.SUBMITTED,
        target=R.RETURNED,
        label=gettext_lazy("Return the usage report"),
        permission=rules.report_case_officer,
    )
    def return_report(self, *, reasons: str) -> None:
        self.report.review_reasons = reasons
        self._save("review_reasons")

    @state.transition(
        source=R.SUBMITTED,
        target=R.APPROVED,
        label=gettext_lazy("Approve the usage report"),
        permission=rules.report_case_officer,
    )
    def approve(self, *, reasons: str) -> None:
        self.report.review_reasons = reasons
        self._save("review_reasons")
