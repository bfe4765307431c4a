"""Letters (breve): HTML from a template, PDF by WeasyPrint, kept as a Document on the case.

One letter per decision and claim, each a ``DocumentKind``: a rejection at screening
(afvisning), a refusal (afslag), a partial or full grant, a usage report returned, a
repayment claim. What each says is gathered by ``letter_context``; the templates are in
``templates/letters/``.

The record of a transition names its letter (``payload["letter"]``) and the letter states
what the record holds (the hearing, the meeting's date, the grounds). So a transition
gathers its record's payload first and hands it to ``letter_create`` as
``Facts.to_record(...)`` — the same text for each value as the stored record will have —
then writes the record naming the letter: one render, one row, in the transition's
transaction. ``letter_complete`` writes a letter again from the record that names it.

The stored HTML is self-contained (the stylesheet is inlined) and WeasyPrint may read
nothing but files under the project's ``static/`` directory: a letter never makes a
network request, whatever text ends up in it.
"""

from __future__ import annotations

import datetime
import functools
import logging
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
from django.utils.translation import override
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cases.documents.letter_context import (
    TEMPLATES,
    Facts,
    decision_kind,
    letter_context,
    letter_title,
)
from cases.models import Application, Document
from cases.trail.models import TransitionRecord

STYLESHEET = "css/letter.css"
DEFAULT_LANGUAGE = "da"
# PDF/A-2a: the archival format public records are kept in, tagged so that screen
# readers can follow the structure of the letter (headings, table, lists).
PDF_VARIANT = "pdf/a-2a"


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


def _language(language: str | None) -> str:
    code = language or DEFAULT_LANGUAGE
    if code not in dict(settings.LANGUAGES):
        raise ValueError(f"No letters in language {code!r}.")
    return code


def letter_stylesheet() -> str:
    # Our own file, inlined in a <style> element, where HTML escaping would break it. Read
    # again only when it changes: every letter of a transition inlines it.
    path = static_dir() / STYLESHEET
    return _stylesheet(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _stylesheet(path: str, _changed: int) -> str:
    return mark_safe(Path(path).read_text(encoding="utf-8"))  # noqa: S308  (our own static file)  # nosec B308, B703


def letter_render(
    application: Application,
    kind: str,
    *,
    facts: Facts | None = None,
    acting_user: Any = None,
    language: str | None = None,
) -> str:
    """The letter of ``kind`` as a complete HTML document, in Danish unless told otherwise.

    ``facts``: the transition record's reason and payload (None: what the case holds).
    Raises ValueError for a kind with nothing to say yet (a decision not made, a claim not
    there) or a decision granting less than asked for without reasons (fvl. § 22).
    """
    if kind not in TEMPLATES:
        raise ValueError(f"No letter of kind {kind!r}.")
    with override(_language(language)):
        context = letter_context(application, kind, facts=facts or Facts(), acting_user=acting_user)
        return render_to_string(
            TEMPLATES[kind],
            {
                **context,
                "title": letter_title(application, kind),
                "stylesheet": letter_stylesheet(),
            },
        )


def decision_letter_render(application: Application, *, language: str | None = None) -> str:
    """The letter of the decision the case holds: a grant, a partial grant or a refusal."""
    return letter_render(application, decision_kind(application), language=language)


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


def letter_create(
    *,
    application: Application,
    kind: str,
    acting_user: Any,
    facts: Facts | None = None,
    language: str | None = None,
) -> Document:
    """Render the letter of ``kind`` and keep it as a Document on the case; print it after commit.

    Runs in the caller's transaction (a transition): the row, with the letter's full
    HTML — the text that was decided — commits or rolls back with the decision; ``facts``
    are what the transition's record will hold (module docstring). Printing the PDF (a
    tenth of a second or more per letter) happens after the commit, in a Celery task
    (``cases.tasks.print_letter``), so a committee deciding 300 applications on one page
    does not wait for 300 PDFs under its row locks, and a rolled-back attempt leaves no
    file behind. The beat sweep prints any the task missed (``print_missing_letters``). A
    download or export of a letter not yet printed prints it in memory (``letter_pdf``)
    and stores nothing: a GET changes no data.
    """
    # In the association's language unless told otherwise.
    language = _language(language or application.association.language)
    html = letter_render(application, kind, facts=facts, acting_user=acting_user, language=language)
    with override(language):
        title = letter_title(application, kind)
    document = Document(
        application=application,
        kind=kind,
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


def decision_letter_create(
    *,
    application: Application,
    acting_user: Any,
    language: str | None = None,
    facts: Facts | None = None,
) -> Document:
    """The letter of the decision the case holds (``decide``, ``decide_directly``)."""
    return letter_create(
        application=application,
        kind=decision_kind(application),
        acting_user=acting_user,
        language=language,
        facts=facts,
    )


def letter_complete(document: Document) -> Document:
    """Write the letter again from the transition record that names it (``payload["letter"]``).

    The record is written after the letter (it holds the letter's id) by the transition
    that made both, in the same transaction, so the letter can state what only the record
    holds: the hearing, the meeting's date, the grounds of a rejection. A letter no record
    names is left as it is.
    """
    record = (
        TransitionRecord.objects.filter(
            application_id=document.application_id, payload__letter=document.pk
        )
        .order_by("-seq")
        .first()
    )
    if record is None:
        return document
    html = letter_render(
        document.application,
        document.kind,
        facts=Facts.of(record),
        acting_user=document.created_by,
        language=_html_language(document.html),
    )
    if html != document.html:
        document.html = html
        document._history_user = document.created_by  # type: ignore[attr-defined]
        document.save(update_fields=["html"])
    return document


def _html_language(html: str) -> str:
    """The language a stored letter was written in (its ``<html lang>``)."""
    for code, _name in settings.LANGUAGES:
        if f'<html lang="{code}">' in html:
            return code
    return DEFAULT_LANGUAGE


def letter_pdf(document: Document) -> Document:
    """The document with its PDF, for reading (a download, an export): writes nothing.

    A printed letter is served as stored. One not printed yet (its after-commit task
    has not run) is printed in memory and attached to this instance only, unsaved:
    a GET must not change data, so printing and storing stay with ``letter_print``
    (the Celery task and the beat sweep). Do not ``save()`` the returned instance.
    """
    if document.pdf:
        return document
    pdf = print_pdf(document.html)
    # Assigning a File to the field gives an uncommitted FieldFile: open()/read() and
    # .name work as for a stored one, and nothing touches storage or the database.
    document.pdf = ContentFile(pdf, name=_letter_name(document))
    return document


def _letter_name(document: Document) -> str:
    kind = document.kind.replace("_", "-")
    return f"letter-{kind}-{slugify(document.application.case_number)}.pdf"


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
            pdf = print_pdf(locked.html)
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
