"""Decision letters (afgørelsesbreve): HTML from a template, PDF by WeasyPrint, kept as a Document.

A letter is rendered from the decision fields that the ``decide`` transition writes
(``granted_amount``, ``decision_reasons``, ``decided_at``), not from the status, so it
can be made inside that transition before the status changes.

The stored HTML is self-contained (the stylesheet is inlined) and WeasyPrint may read
nothing but files under the project's ``static/`` directory: a letter never makes a
network request, whatever text ends up in it.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cases.models import Application, Document, DocumentKind, Scheme

TEMPLATE = "letters/decision_letter.html"
STYLESHEET = "css/letter.css"
DEFAULT_LANGUAGE = "da"
# PDF/A-2a: the archival format public records are kept in, tagged so that screen
# readers can follow the structure of the letter (headings, table, lists).
PDF_VARIANT = "pdf/a-2a"

FULL, PARTIAL, REFUSAL = "full", "partial", "refusal"


def static_dir() -> Path:
    """The project's own static files: the only place a letter may load anything from."""
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticOnlyURLFetcher(URLFetcher):
    """Fetches ``file:`` URLs under ``static_dir()`` and ``data:`` URLs; refuses the rest.

    WeasyPrint's own fetcher would follow any http(s) or file URL in the document. A
    refused resource is left out of the PDF with a warning in the log.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            path = Path(url2pathname(parts.path)).resolve()
            if parts.netloc not in ("", "localhost") or not path.is_relative_to(static_dir()):
                raise ValueError(f"Letters may only load the project's static files, not {url}")
        elif scheme != "data":
            raise ValueError(f"Letters do not load anything from the network: {url}")
        return super().fetch(url, headers)


def decision_outcome(application: Application) -> str:
    """``full``, ``partial`` or ``refusal``, from the amounts the decision recorded."""
    if application.decided_at is None or application.granted_amount is None:
        raise ValueError(f"Application {application.case_number} has not been decided.")
    granted = application.granted_amount
    requested = application.amount_requested or Decimal("0")
    if granted <= 0:
        return REFUSAL
    return FULL if granted >= requested else PARTIAL


def _language(language: str | None) -> str:
    code = language or DEFAULT_LANGUAGE
    if code not in dict(settings.LANGUAGES):
        raise ValueError(f"No letters in language {code!r}.")
    return code


def letter_stylesheet() -> str:
    # Our own file, inlined in a <style> element, where HTML escaping would break it.
    return mark_safe((static_dir() / STYLESHEET).read_text(encoding="utf-8"))  # noqa: S308  (our own static file)  # nosec B308, B703


def _title(application: Application) -> str:
    return _("Decision letter, case %(case)s") % {"case": application.case_number}


def decision_letter_render(application: Application, *, language: str | None = None) -> str:
    """The decision letter as a complete HTML document, in Danish unless told otherwise.

    Raises ValueError for an application without a decision, or for a decision that
    grants less than was asked for without reasons (forvaltningsloven § 22).
    """
    outcome = decision_outcome(application)
    if outcome != FULL and not application.decision_reasons.strip():
        raise ValueError(
            f"The decision on {application.case_number} grants less than requested "
            "and gives no reasons; forvaltningsloven § 22 requires them."
        )
    grant_round = application.round
    municipality = application.municipality
    with override(_language(language)):
        decider = (
            _("The administration")
            if grant_round.decided_by_administration
            else municipality.committee_name
        )
        return render_to_string(
            TEMPLATE,
            {
                "title": _title(application),
                "stylesheet": letter_stylesheet(),
                "application": application,
                "municipality": municipality,
                "association": application.association,
                "grant_round": grant_round,
                "section": "79" if grant_round.scheme == Scheme.S79 else "18",
                "decider": decider,
                "outcome": outcome,
                "letter_date": timezone.localdate(application.decided_at),
                "requested": application.amount_requested or Decimal("0"),
                "granted": application.granted_amount,
                "reasons": application.decision_reasons,
                "complaint_guidance": municipality.complaint_text(),
            },
        )


def print_pdf(html: str) -> bytes:
    """HTML of ours printed to a tagged PDF/A, without any network access: decision
    letters, agendas and minutes, the case-file summary."""
    document = weasyprint.HTML(
        string=html,
        base_url=static_dir().as_uri() + "/",
        url_fetcher=StaticOnlyURLFetcher(),
    )
    # Without a target, write_pdf returns the PDF as bytes.
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))


def decision_letter_pdf(html: str) -> bytes:
    """The letter printed to an A4 PDF/A."""
    return print_pdf(html)


def decision_letter_create(
    *, application: Application, acting_user: Any, language: str | None = None
) -> Document:
    """Render the decision letter and keep it as a Document on the case; print it after commit.

    Runs in the caller's transaction (the ``decide`` transition): the row, with the
    letter's full HTML — the text that was decided — commits or rolls back with the
    decision. Printing the PDF (a tenth of a second or more per letter) happens after
    the commit, in a Celery task (``cases.tasks.print_letter``), so a committee deciding
    300 applications on one page does not wait for 300 PDFs under its row locks, and a
    rolled-back attempt leaves no file behind. The beat sweep prints any the task
    missed (``print_missing_letters``). A download or export of a letter not yet printed
    prints it in memory (``letter_pdf``) and stores nothing: a GET changes no data.
    """
    # In the association's language unless told otherwise.
    language = language or application.association.language
    html = decision_letter_render(application, language=language)
    with override(_language(language)):
        title = _title(application)
    document = Document(
        application=application,
        kind=DocumentKind.DECISION_LETTER,
        title=title,
        html=html,
        created_by=acting_user,
    )
    document._history_user = acting_user  # type: ignore[attr-defined]
    document.save()
    from django.db import transaction

    from cases.tasks import print_letter

    def publish() -> None:
        try:
            print_letter.delay(document.pk)
        except Exception:  # broker down: the beat sweep or the first download prints it
            logging.getLogger("puljeflow.letters").warning(
                "could not queue printing of letter %s", document.pk, exc_info=True
            )

    transaction.on_commit(publish)
    return document


def letter_pdf(document: Document) -> Document:
    """The document with its PDF, for reading (a download, an export): writes nothing.

    A printed letter is served as stored. One not printed yet (its after-commit task
    has not run) is printed in memory and attached to this instance only, unsaved:
    a GET must not change data, so printing and storing stay with ``letter_print``
    (the Celery task and the beat sweep). Do not ``save()`` the returned instance.
    """
    if document.pdf:
        return document
    pdf = decision_letter_pdf(document.html)
    # Assigning a File to the field gives an uncommitted FieldFile: open()/read() and
    # .name work as for a stored one, and nothing touches storage or the database.
    document.pdf = ContentFile(pdf, name=_letter_name(document))
    return document


def _letter_name(document: Document) -> str:
    return f"decision-letter-{slugify(document.application.case_number)}.pdf"


def letter_print(document: Document) -> Document:
    """Print the document's PDF from its stored HTML and store it, if not done yet.

    Used by the after-commit task (``cases.tasks.print_letter``) and the beat sweep
    (``print_missing_letters``), never by a page. Safe to run twice and concurrently:
    the row is locked, and a document already printed is left as it is. Returns the
    document with ``pdf`` set.
    """
    from django.db import transaction

    if document.pdf:
        return document
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if not locked.pdf:
            pdf = decision_letter_pdf(locked.html)
            locked.pdf.save(_letter_name(locked), ContentFile(pdf), save=False)
            from cases.trail.history import system_user

            locked._history_user = system_user()
            locked.save(update_fields=["pdf"])
    document.refresh_from_db(fields=["pdf"])
    return document


def print_missing_letters(limit: int = 100) -> int:
    """Print letters whose after-commit task was lost (broker down, worker killed)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=1)
    pending = Document.objects.filter(pdf="", created_at__lt=cutoff).order_by("pk")[:limit]
    done = 0
    for document in pending:
        letter_print(document)
        done += 1
    return done
