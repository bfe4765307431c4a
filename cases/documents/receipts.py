"""The receipt (kvittering) for a submitted application: on a page, as a PDF and by e-mail.

One context for all three: the case number, when it was received, what was submitted,
and what happens next with the dates planned for it (the round's meetings, else the
dates the round names). A date not planned yet is said to be so, never guessed.
Rendered on request, never stored: the PDF holds nothing the case does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.compiled import Compiled
from cases.documents.letters import print_pdf
from cases.models import Application, Body, Meeting

RECEIPT_TEMPLATE = "documents/receipt.html"


@dataclass(frozen=True)
class NextStep:
    """One thing that happens after submitting. ``key``: screening, council, committee,
    letter or administration (the templates say each in the reader's language)."""

    key: str
    date: date | None = None


# The round's meetings to come, on every receipt: compiled once (cases/compiled.py).
PLANNED = Compiled(
    lambda round, today: (
        Meeting.objects.filter(round_id=round, date__gte=today)
        .order_by("-date")
        .values_list("body", "date")
    ),
    "round",
    dates=("today",),
)


def next_steps(application: Application) -> list[NextStep]:
    """What happens next, in order, with the planned dates (one query)."""
    grant_round = application.round
    if not grant_round.council_recommends:  # a quick pool: the case officer decides
        return [NextStep("screening"), NextStep("administration")]
    planned: dict[str, date] = {}
    for body, day in PLANNED.rows(round=grant_round.pk, today=timezone.localdate()):
        planned[body] = day  # the latest assignment is the earliest meeting
    council = planned.get(Body.COUNCIL) or grant_round.council_meeting_date
    committee = planned.get(Body.COMMITTEE) or grant_round.committee_meeting_date
    if grant_round.decided_by_administration:  # § 79: the case officer, after the council
        return [NextStep("screening"), NextStep("council", council), NextStep("administration")]
    return [
        NextStep("screening"),
        NextStep("council", council),
        NextStep("committee", committee),
        NextStep("letter", committee),
    ]


def received_at(application: Application) -> Any:
    """When the municipality received it: a paper application's date, else the submission."""
    return timezone.localtime(application.received_at or application.submitted_at)


def receipt_context(application: Application) -> dict[str, Any]:
    """``application`` with its round, association, budget lines, attachments, focus areas
    and target groups fetched (``selectors.applications.application_detail``)."""
    return {
        "application": application,
        "received_at": received_at(application),
        "next_steps": next_steps(application),
        "municipality": application.municipality,
    }


def receipt_pdf(application: Application) -> bytes:
    return print_pdf(render_to_string(RECEIPT_TEMPLATE, receipt_context(application)))


def receipt_filename(application: Application) -> str:
    """kvittering-2026-0042.pdf (the word in the user's language)."""
    return f"{slugify(_('receipt'))}-{application.case_number}.pdf"


def receipt_attachment(application_id: int) -> tuple[str, bytes]:
    """The receipt as a file for the e-mail that confirms the submission: its name and the
    PDF, in the active language."""
    application = (
        Application.objects.select_related("round", "association", "municipality")
        .prefetch_related("focus_areas", "target_groups", "budget_lines", "attachments")
        .get(pk=application_id)
    )
    return receipt_filename(application), receipt_pdf(application)
