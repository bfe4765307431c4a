"""Upload fixtures, built in code so that each is exactly what its name says."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.factories import PDF_BYTES

CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("regnskab.pdf", PDF_BYTES)
        archive.writestr("budget.xlsx", b"not really")
    return buffer.getvalue()


def zip_bomb_docx(unpacked_mb: int = 200) -> bytes:
    """A real-looking .docx whose one part unpacks to ``unpacked_mb`` MB of zeros."""
    buffer = io.BytesIO()
    chunk = b"\0" * 1_048_576
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            for _ in range(unpacked_mb):
                member.write(chunk)
    return buffer.getvalue()


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def pdf_with_zip_appended() -> bytes:
    """A polyglot: a valid PDF that is also a ZIP archive (read from its end)."""
    return PDF_BYTES + plain_zip()


def pdf_with_html() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Length 60>>stream\n<html><script>alert(document.cookie)</script>"
        b"</html>\nendstream endobj\ntrailer<<>>\n%%EOF\n"
    )


def pdf_with_javascript(name: bytes = b"/JavaScript") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n"
        b"2 0 obj<</S" + name + b"/JS(app.alert(1))>>endobj\ntrailer<<>>\n%%EOF\n"
    )


def pdf_with_compressed_javascript() -> bytes:
    body = zlib.compress(b"<</S/JavaScript/JS(app.alert(1))>>")
    return (
        b"%PDF-1.5\n1 0 obj<</Type/ObjStm/Filter/FlateDecode/Length "
        + str(len(body)).encode()
        + b">>stream\n"
        + body
        + b"\nendstream endobj\ntrailer<<>>\n%%EOF\n"
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", len(app0) + 2)
        + app0
        + b"\xff\xc0"
        + struct.pack(">H", len(sof) + 2)
        + sof
        + b"\xff\xda"
        + struct.pack(">H", len(sos) + 2)
        + sos
        + b"\x12\x34\xff\x00\x56\xff\xd0\x78"
        + b"\xff\xd9"
    )
