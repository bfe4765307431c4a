"""Active content in documents: what a PDF or an Office file may not carry.

``cases.uploads.check_upload`` calls these after the file's type is known. They read the
file's structure with kept libraries, not by grepping its bytes, so that compression,
object streams and escaped names hide nothing:

- a PDF is opened with pikepdf and every object is walked — those inside object streams
  included — for scripts (``/JS``, ``/JavaScript``, ``/RichMedia``), launch actions,
  embedded files (``/EmbeddedFiles``, ``/EF``, ``/EmbeddedFile``, file attachments) and
  forms that send their data elsewhere (``/SubmitForm``, ``/ImportData``, XFA). An
  ``/OpenAction`` or ``/AA`` is refused only for what it would run; opening at page one
  is fine. A PDF that cannot be opened (damaged, or locked by a password) is refused;
- an Office Open XML or OpenDocument file, once its unpacked size is known to be within
  the limits (``_package_ok``), is read for VBA macros (oletools' olevba, and the parts
  macros live in), ActiveX controls, relationships to something outside the file
  (a remote template, a linked object or image; hyperlinks are fine), and DDE: fields
  ``DDE`` / ``DDEAUTO`` in a Word document, DDE links and ``app|topic!item`` formulas in
  a spreadsheet.

Each function returns None when the file is acceptable, otherwise the message for the
person uploading.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PDF_ACTIONS_SCRIPT = {"/JavaScript", "/Launch", "/RichMediaExecute", "/Rendition"}
PDF_ACTIONS_FORM = {"/SubmitForm", "/ImportData"}
PDF_KEYS_SCRIPT = {"/JS", "/JavaScript", "/RichMedia", "/Launch"}
PDF_KEYS_EMBEDDED = {"/EmbeddedFiles", "/EmbeddedFile", "/EF"}
PDF_MAX_OBJECTS = 500_000  # more objects than any honest 10 MB document has

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A DDE call in a formula: application|topic!item, e.g. cmd|' /C calc'!A0.
DDE_FORMULA = re.compile(r"[A-Za-z0-9_.\-]+\s*\|\s*'?[^!]*'?\s*!")
STRING_LITERAL = re.compile(r'"[^"]*"')
DDE_FIELD = re.compile(r"^\s*\"?DDE(?:AUTO)?\b", re.I)
ODF_DDE = re.compile(rb"<(?:text|table|office):dde-", re.I)
# Parts that hold macros or controls, whatever the content types say.
MACRO_PARTS = re.compile(r"(?:vbaproject\.bin|vbadata\.xml|/macrosheets/|^basic/|^scripts/)", re.I)
ACTIVEX_PARTS = re.compile(r"/activex/", re.I)


# --- PDF ------------------------------------------------------------------------------------


def pdf_problem(data: bytes) -> str | None:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return _pdf_content_problem(pdf)
    except pikepdf.PasswordError:
        return _(
            "The PDF file is protected by a password and cannot be read. Save it without a "
            "password and retry."
        )
    except (pikepdf.PdfError, ValueError, RecursionError, RuntimeError) as error:
        logger.info("PDF upload cannot be read: %s", type(error).__name__)
        return unreadable_pdf()


def unreadable_pdf() -> str:
    return _(
        "The PDF file cannot be read (it is damaged, or not really a PDF). Save or print "
        "it as a new PDF and retry."
    )


def _pdf_content_problem(pdf: Any) -> str | None:
    import pikepdf

    found: set[str] = set()
    stack: list[Any] = [pdf.trailer, *pdf.objects]
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            return unreadable_pdf()
        if isinstance(obj, pikepdf.Array):
            stack.extend(v for v in obj if _direct_container(v))
            continue
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        for key in obj.keys():  # noqa: SIM118 (a pikepdf object, not a dict)
            value = obj.get(key)
            found |= _pdf_key_findings(key, value, obj)
            if _direct_container(value):
                stack.append(value)
    if "script" in found:
        return _(
            "The PDF file contains scripts or actions. Save or print it as a new PDF "
            "without them and retry."
        )
    if "embedded" in found:
        return _(
            "The PDF file has other files embedded in it. Send those files as attachments "
            "of their own, save or print the PDF as a new PDF without them, and retry."
        )
    if "form" in found:
        return _(
            "The PDF file contains a form that sends data elsewhere. Save or print it as a "
            "new PDF (a flat copy of the filled-in form) and retry."
        )
    return None


def _pdf_key_findings(key: str, value: Any, obj: Any) -> set[str]:
    name = str(value) if value is not None and _is_name(value) else ""
    if key in PDF_KEYS_SCRIPT:
        return {"script"}
    if key in PDF_KEYS_EMBEDDED:
        return {"embedded"}
    if key == "/XFA":
        return {"form"}
    if key == "/S":
        if name in PDF_ACTIONS_SCRIPT:
            return {"script"}
        if name in PDF_ACTIONS_FORM:
            return {"form"}
        if name == "/GoToE":
            return {"embedded"}
    if key in ("/Type", "/Subtype") and name in ("/EmbeddedFile", "/FileAttachment"):
        return {"embedded"}
    return set()


def _direct_container(value: Any) -> bool:
    """A dictionary or array written inside its parent; one referenced by number is an
    object of its own, visited once from ``pdf.objects``."""
    import pikepdf

    return isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect


def _is_name(value: Any) -> bool:
    import pikepdf

    return isinstance(value, pikepdf.Name)


# --- Office Open XML and OpenDocument ---------------------------------------------------------


def package_problem(archive: zipfile.ZipFile, data: bytes, ext: str) -> str | None:
    """Macros, controls, external links and DDE in a document whose size is known to be
    within the limits (the archive's entries were checked before anything is read)."""
    label = ext.lstrip(".").upper()
    names = [m.filename for m in archive.infolist()]
    if any(MACRO_PARTS.search(n) for n in names) or _olevba_finds_macros(data):
        return _(
            "The document contains macros. Save it as an ordinary %(ext)s file "
            "without macros and retry."
        ) % {"ext": label}
    if any(ACTIVEX_PARTS.search(n) for n in names):
        return _(
            "The document contains controls (ActiveX) that can run code. Save it as an "
            "ordinary %(ext)s file without them and retry."
        ) % {"ext": label}
    for name in names:
        if name.endswith(".rels") and _external_relationship(archive.read(name)):
            return _(
                "The document fetches content from outside the file (a remote template, "
                "a linked object or image). Save it as an ordinary %(ext)s file with "
                "everything inside it and retry."
            ) % {"ext": label}
    if _has_dde(archive, names):
        return _(
            "The document contains DDE fields or formulas that can start programs. Remove "
            "them, save the file again and retry."
        )
    return None


def _olevba_finds_macros(data: bytes) -> bool:
    with warnings.catch_warnings():
        # oletools 0.60 builds its grammar with pyparsing names pyparsing 3 deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import FileOpenError, VBA_Parser

    try:
        parser = VBA_Parser("upload", data=data)
    except FileOpenError:
        return False  # not a type olevba knows (OpenDocument): the part names decide
    except Exception as error:  # fail closed: a file it cannot read is refused
        raise ValueError("olevba cannot read the document") from error
    try:
        return bool(parser.detect_vba_macros())
    except Exception as error:
        raise ValueError("olevba cannot read the document") from error
    finally:
        parser.close()


def _external_relationship(rels: bytes) -> bool:
    """A relationship whose target is outside the package, other than a hyperlink."""
    try:
        relationships = [e for _ev, e in _xml(rels) if e.tag == f"{R}Relationship"]
    except (ElementTree.ParseError, ValueError):
        return True  # an unreadable relationship part is not worth the risk
    for rel in relationships:
        external = rel.get("TargetMode", "").lower() == "external"
        if external and not rel.get("Type", "").endswith("/hyperlink"):
            return True
    return False


def _has_dde(archive: zipfile.ZipFile, names: list[str]) -> bool:
    for name in names:
        if name.startswith("word/") and name.endswith(".xml") and "/_rels/" not in name:
            if any(DDE_FIELD.search(field) for field in _word_fields(archive.read(name))):
                return True
        elif name.startswith("xl/externalLinks/") and b"ddeLink" in archive.read(name):
            return True
        elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
            if any(_dde_formula(f) for f in _sheet_formulas(archive.read(name))):
                return True
        elif name in ("content.xml", "styles.xml") and _odf_dde(archive.read(name)):
            return True
    return False


def _dde_formula(formula: str) -> bool:
    return bool(DDE_FORMULA.search(STRING_LITERAL.sub('""', formula)))


def _odf_dde(xml: bytes) -> bool:
    return bool(ODF_DDE.search(xml)) or any(_dde_formula(f) for f in _odf_formulas(xml))


def _xml(data: bytes) -> Any:
    """The elements of an XML part as they end. No part of these formats has a document
    type declaration, so one is refused: without it there are no entities to expand
    (ElementTree fetches no external entity in any case). A part in UTF-16 is refused
    too, so that the byte search above cannot be sidestepped by another encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:64]:
        raise ValueError("an Office part that is not UTF-8")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("a document type declaration in an Office part")
    return ElementTree.iterparse(io.BytesIO(data))  # noqa: S314 # nosec B314


def _word_fields(xml: bytes) -> list[str]:
    """Every field instruction in a Word part, its pieces (split over runs) joined."""
    fields: list[str] = []
    current: list[str] | None = None
    for _event, element in _xml(xml):
        if element.tag == f"{W}fldSimple":
            fields.append(element.get(f"{W}instr", ""))
        elif element.tag == f"{W}fldChar":
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                current = []
                fields.append("")
            elif current is not None:
                fields[-1] = "".join(current)
                current = None if kind == "end" else current
        elif element.tag == f"{W}instrText" and current is not None:
            current.append(element.text or "")
            fields[-1] = "".join(current)
    return fields


def _sheet_formulas(xml: bytes) -> list[str]:
    return [e.text or "" for _ev, e in _xml(xml) if e.tag == f"{S}f"]


def _odf_formulas(xml: bytes) -> list[str]:
    formula = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}formula"
    return [e.get(formula, "") for _ev, e in _xml(xml) if e.get(formula) is not None]
