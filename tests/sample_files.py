"""Small but real files of each kind, for the tests of uploads decided by their content."""

import io
import struct
import zipfile
import zlib

from docx import Document


def png() -> bytes:
    """A one-pixel greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))
        )

    header = struct.pack("!IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JFIF JPEG and its end marker: enough for its magic number."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def pdf() -> bytes:
    """A PDF with an empty page tree."""
    return (
        b"%PDF-1.4\n"
        b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def docx(text: str = "Briefing to staff") -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            # OpenDocument wants its mimetype first and uncompressed.
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compress)
    return buffer.getvalue()


def xlsx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b"<?xml version='1.0'?><Types/>",
            "xl/workbook.xml": b"<?xml version='1.0'?><workbook/>",
        }
    )


def odt() -> bytes:
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<?xml version='1.0'?><office:document-content/>",
        }
    )


def docm() -> bytes:
    """A Word document with macros (a docm), as if renamed .docx."""
    return _zip(
        {
            "[Content_Types].xml": b"<?xml version='1.0'?><Types/>",
            "word/document.xml": b"<?xml version='1.0'?><w:document/>",
            "word/vbaProject.bin": b"\x00macro",
        }
    )


def plain_zip() -> bytes:
    return _zip({"notes.txt": b"Some notes"})


def ole(*streams: str) -> bytes:
    """An OLE container (Office 97-2003, Outlook) whose directory names ``streams``."""
    names = b"".join(name.encode("utf-16-le") + b"\x00\x00" for name in streams)
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + bytes(512) + names
    return body + bytes(-len(body) % 512)


def email_message(html_body: bool = True) -> bytes:
    body = (
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Minute attached</p></body>"
        b"</html>\r\n"
        if html_body
        else b"Content-Type: text/plain; charset=utf-8\r\n\r\nMinute attached\r\n"
    )
    return (
        b"From: Clerk <clerk@example.org>\r\n"
        b"To: Officer <officer@example.org>\r\n"
        b"Subject: Committee minute\r\n"
        b"Date: Tue, 15 Feb 2022 10:00:00 +0000\r\n"
        b"MIME-Version: 1.0\r\n" + body
    )


def eicar() -> bytes:
    """The EICAR anti-virus test string, put together here so the source file is not flagged."""
    return b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
