"""What an uploaded file must be before it is stored: one check for every upload path.

The screens' forms and the API call ``check_upload``; it raises a ValidationError
with a message for the person uploading, and returns the content type to store.
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Accepted types: the name's extension and the file's first bytes must agree.
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


def sniff(head: bytes, upload: Any, ext: str) -> bool:
    """Does the content look like what the extension claims?"""
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".docx", ".xlsx", ".odt", ".ods"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        marker = "[Content_Types].xml" if ext in (".docx", ".xlsx") else "mimetype"
        return marker in names
    return False


def check_upload(upload: Any) -> str:
    """Refuse what must not be stored; return the content type of what may."""
    limit = settings.PULJEFLOW_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{upload.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in ALLOWED_TYPES:
        raise ValidationError(
            _(
                "Files of type “%(ext)s” are not accepted. Use PDF, Word, Excel, OpenDocument, JPEG or PNG."
            )
            % {"ext": ext or "?"}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not sniff(head, upload, ext):
        raise ValidationError(
            _("The file's content is not a %(ext)s file. Save it again as %(ext)s and retry.")
            % {"ext": ext.lstrip(".").upper()}
        )
    return ALLOWED_TYPES[ext]
