"""The yearly summary of the questionnaire (issue 20, voice) as PDF: the figures kept when it
was sent and the case officer's text, printed like the letters (``letters.print_pdf``),
in the reader's language. No comment is printed: the comments stay with the municipality."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.documents.letters import print_pdf
from cases.models import FeedbackSummary
from cases.selectors.feedback import Results

TEMPLATE = "documents/feedback_summary.html"


def summary_pdf(summary: FeedbackSummary) -> bytes:
    results = Results.from_figures(summary.figures)
    return print_pdf(
        render_to_string(
            TEMPLATE,
            {"summary": summary, "results": results, "municipality": summary.municipality},
        )
    )


def summary_filename(summary: FeedbackSummary) -> str:
    """opsummering-2027.pdf (the word in the reader's language)."""
    return f"{slugify(_('summary'))}-{summary.year}.pdf"
