"""What an uploaded file must be before it is stored: one check for every upload path.

The screens' forms and the API call ``check_upload``; it raises a ValidationError
with a message for the person uploading, and returns the content type to store.

The rules (docs/security.md, "Uploads"):

- the size is within ``PULJEFLOW_MAX_UPLOAD_BYTES`` and not zero;
- the name is a plain file name: no folders, no control characters; it is stored
  only as data (the storage path is generated, see ``attachment_path``);
- programs (Windows, Linux, macOS executables, scripts) are refused whatever the name;
- the extension is one of the accepted document and image types, and the content
  is checked structurally against it: a PDF header, the segments of a JPEG, the
  chunks of a PNG, a ZIP that really is an Office Open XML / OpenDocument file;
- archives are refused, and so are documents that unpack to too much (zip bombs);
- polyglots are refused: a PDF with JavaScript, launch actions or HTML, and any file
  with data after its own end (a ZIP or a script appended to a PDF or an image);
- active content is refused: scripts, launch actions, embedded files and forms that
  send data in a PDF; macros, controls, remote templates and DDE in an Office file
  (``cases.upload_scan``), and so is a damaged or password-locked PDF;
- when a virus scanner is configured, the file is scanned, and refused if infected or if
  the scanner cannot be reached (``cases.clamav``).

How many files one application may hold, and their total size: ``cases.upload_quota``.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
import zlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases import clamav, upload_scan

# Accepted types: the name's extension and the file's content must agree.
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
ARCHIVE_EXTENSIONS = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".iso"}

# The part every document of a type must contain (besides [Content_Types].xml / mimetype).
OOXML_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
ODF_MIMETYPE = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
}

EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"#!",  # scripts
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit
)
ARCHIVE_MAGIC = (
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",  # cabinet
)
# Markup or code that must not hide inside a document or an image.
ACTIVE_CONTENT = re.compile(rb"<\s*(?:script|html|svg|iframe|object|embed)\b|<\?php", re.I)
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|RichMedia|XFA)\b")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="upload_refused")


def _read_all(upload: Any) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return bytes(data)


def safe_name(name: str) -> str:
    """The plain file name to keep as data: NFC, no folders, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = CONTROL.sub("", name).strip().lstrip(".")
    stem, ext = os.path.splitext(name)
    return (stem[: 120 - len(ext)] + ext) or "file"


def check_name(name: str) -> str:
    """Refuse a name with folders or control characters; return the extension."""
    if CONTROL.search(name) or "/" in name or "\\" in name or name.strip(". ") == "":
        raise _refuse(
            _(
                "The file name “%(name)s” is not a plain file name (it has folders or "
                "control characters). Rename the file and retry."
            )
            % {"name": CONTROL.sub("?", name)[:80]}
        )
    return os.path.splitext(name)[1].lower()


# --- structure of each type -----------------------------------------------------------------


def _pdf_ok(data: bytes) -> str | None:
    """None if the PDF is acceptable, otherwise why not (a message)."""
    if not data.startswith(b"%PDF-"):
        return _(
            "The file's content is not a %(ext)s file. Save it again as %(ext)s and retry."
        ) % {"ext": "PDF"}
    end = data.rfind(b"%%EOF")
    if end < 0 or data[end + 5 :].strip(b" \t\r\n\x00"):
        return _(
            "The PDF file has data after its end (another file may be hidden in it). "
            "Save or print it as a new PDF and retry."
        )
    names = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if PDF_ACTIVE.search(names) or ACTIVE_CONTENT.search(data):
        return _(
            "The PDF file contains scripts or actions. Save or print it as a new PDF "
            "without them and retry."
        )
    # The structure, object streams and compressed streams included (upload_scan).
    return upload_scan.pdf_problem(data)


def _jpeg_ok(data: bytes) -> bool:
    """Walk the JPEG's segments from SOI to EOI; nothing may follow EOI."""
    if not data.startswith(b"\xff\xd8"):
        return False
    pos, size = 2, len(data)
    in_scan = False
    while pos < size:
        if in_scan:
            pos = data.find(b"\xff", pos)
            if pos < 0 or pos + 1 >= size:
                return False
            marker = data[pos + 1]
            if marker == 0x00 or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                pos += 1 if marker == 0xFF else 2
                continue
        else:
            if data[pos] != 0xFF or pos + 1 >= size:
                return False
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte
                pos += 1
                continue
        if marker == 0xD9:  # EOI
            return not data[pos + 2 :].strip(b"\x00\r\n\t ")
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > size:
            return False
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            return False
        pos += 2 + length
        in_scan = marker == 0xDA  # SOS: entropy-coded data follows
    return False


def _png_ok(data: bytes) -> bool:
    """Walk the PNG's chunks (each with its CRC) from IHDR to IEND; nothing may follow."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    pos, first = 8, True
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body_end = pos + 8 + length
        if body_end + 4 > len(data):
            return False
        if first and (kind != b"IHDR" or length != 13):
            return False
        first = False
        crc = int.from_bytes(data[body_end : body_end + 4], "big")
        if zlib.crc32(data[pos + 4 : body_end]) != crc:
            return False
        pos = body_end + 4
        if kind == b"IEND":
            return pos == len(data)
    return False


def _package_ok(upload: Any, data: bytes, ext: str) -> str | None:
    """An Office Open XML or OpenDocument file: a ZIP with the parts of its type, within
    the unpacked-size and compression-ratio limits, read from the ZIP's directory before
    any part is unpacked; then free of active content (``upload_scan``). None if fine,
    otherwise why not."""
    not_document = _(
        "The file is a ZIP archive, not a %(ext)s document. Archives are not accepted: "
        "upload the documents one by one."
    ) % {"ext": ext.lstrip(".").upper()}
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > settings.PULJEFLOW_MAX_UNZIPPED_MEMBERS or _bomb(members):
                return _too_big_unpacked()
            for member in members:
                name = member.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    return not_document
            names = {m.filename for m in members}
            if ext in OOXML_MAIN_PART:
                if "[Content_Types].xml" not in names or OOXML_MAIN_PART[ext] not in names:
                    return not_document
            else:
                if "mimetype" not in names:
                    return not_document
                with archive.open("mimetype") as handle:
                    if handle.read(100).strip() != ODF_MIMETYPE[ext]:
                        return not_document
            return upload_scan.package_problem(archive, data, ext)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, SyntaxError):
        return _(
            "The file's content is not a %(ext)s file. Save it again as %(ext)s and retry."
        ) % {"ext": ext.lstrip(".").upper()}
    finally:
        upload.seek(0)


def _bomb(members: list[zipfile.ZipInfo]) -> bool:
    """Too much unpacked, or packed too tightly: per part, and for the whole file (a bomb
    of many small parts stays under any per-part limit)."""
    ratio = settings.PULJEFLOW_MAX_COMPRESSION_RATIO
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > settings.PULJEFLOW_MAX_UNZIPPED_BYTES:
        return True
    if total > 1_048_576 and total / max(packed, 1) > ratio:
        return True
    return any(
        m.file_size > 1_048_576 and m.file_size / max(m.compress_size, 1) > ratio for m in members
    )


def _too_big_unpacked() -> str:
    return _(
        "The file unpacks to far more than its size (a possible “zip bomb”) and is not "
        "accepted. Save the document again and retry."
    )


def sniff(head: bytes, upload: Any, ext: str) -> bool:
    """Does the content look like what the extension claims? (Kept for callers that only
    need a yes or no; ``check_upload`` gives the reasons.)"""
    try:
        _check_content(_read_all(upload), upload, ext)
    except ValidationError:
        return False
    return True


def _check_content(data: bytes, upload: Any, ext: str) -> None:
    head = data[:16]
    label = ext.lstrip(".").upper()
    if head.startswith(EXECUTABLE_MAGIC):
        raise _refuse(
            _(
                "The file's content is not a %(ext)s file: it is a program. Programs are not "
                "accepted, whatever their name."
            )
            % {"ext": label}
        )
    if head.startswith(ARCHIVE_MAGIC):
        raise _refuse(
            _(
                "The file is an archive (ZIP, RAR, 7z …). Archives are not accepted: upload "
                "the documents one by one."
            )
        )
    wrong = _("The file's content is not a %(ext)s file. Save it again as %(ext)s and retry.") % {
        "ext": label
    }
    if ext == ".pdf":
        problem = _pdf_ok(data)
        if problem:
            raise _refuse(problem)
        return
    if ext in (".jpg", ".jpeg", ".png"):
        if ACTIVE_CONTENT.search(data) or b"PK\x03\x04" in data:
            raise _refuse(
                _(
                    "The image contains another file or a script. Save it again as %(ext)s and retry."
                )
                % {"ext": label}
            )
        ok = _jpeg_ok(data) if ext != ".png" else _png_ok(data)
        if not ok:
            raise _refuse(wrong)
        return
    if not head.startswith(b"PK\x03\x04"):
        raise _refuse(wrong)
    problem = _package_ok(upload, data, ext)
    if problem:
        raise _refuse(problem)


def check_upload(upload: Any) -> str:
    """Refuse what must not be stored; return the content type of what may.

    On success ``upload.name`` is replaced by its safe form (``safe_name``).
    """
    limit = settings.PULJEFLOW_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise _refuse(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{upload.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"}
        )
    if upload.size == 0:
        raise _refuse(_("The file is empty."))
    ext = check_name(upload.name or "")
    data = _read_all(upload)
    if ext in ARCHIVE_EXTENSIONS:
        raise _refuse(
            _("Archives (ZIP and the like) are not accepted: upload the documents one by one.")
        )
    if ext not in ALLOWED_TYPES:
        if data[:16].startswith(EXECUTABLE_MAGIC):
            raise _refuse(
                _(
                    "The file is a program, not a document. Programs are not accepted, "
                    "whatever their name."
                )
            )
        raise _refuse(
            _(
                "Files of type “%(ext)s” are not accepted. Use PDF, Word, Excel, OpenDocument, "
                "JPEG or PNG."
            )
            % {"ext": ext or "?"}
        )
    _check_content(data, upload, ext)
    problem = clamav.scan_problem(upload)
    if problem:
        raise _refuse(problem)
    upload.name = safe_name(upload.name)
    return ALLOWED_TYPES[ext]


# --- serving ----------------------------------------------------------------------------------

# What a download may be labelled as; anything else goes out as opaque bytes. None of these
# renders as a page in a browser, and nosniff forbids guessing otherwise.
DOWNLOAD_TYPES = frozenset(ALLOWED_TYPES.values()) | {
    "application/zip",
    "text/csv; charset=utf-8",
}


def download_response(handle: Any, filename: str, content_type: str) -> Any:
    """A file for the user to save, never to render: ``Content-Disposition: attachment``
    with a safe name, an allow-listed content type, nosniff and a sandboxing CSP."""
    from django.http import FileResponse

    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_name(filename),
        content_type=content_type if content_type in DOWNLOAD_TYPES else "application/octet-stream",
    )
    harden_download(response)
    return response


def stored_upload_response(upload: Any) -> Any:
    """An uploaded file (an application's or a usage report's attachment) as a download."""
    from django.http import Http404

    try:
        handle = upload.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return download_response(handle, upload.original_name, upload.content_type)


def harden_download(response: Any) -> Any:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
