"""Uploads are judged by what they hold, not what they are called, and scanned for viruses.

An officer adding evidence, a clerk attaching minutes and a manager uploading the population
all go through ``ombudsman_tracker.uploads.upload_check``.
"""

import hashlib
import logging
import re
import socket
import socketserver
import struct
import threading
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits.models import PopulationUpload
from ombudsman_tracker import clamav
from ombudsman_tracker.uploads import upload_check
from organisations.models import Organisation
from recommendations import services
from recommendations.forms import EvidenceForm
from recommendations.models import Evidence
from reports import services as report_services
from reports.models import Body, BodyKind, DistributionEntry
from tests import sample_files
from tests.factories import recommendation_recorded, user_with_role
from tests.recommendations.test_views import page_text

EVIDENCE_TYPES = "PDF, DOCX, DOC, XLSX, XLS, ODT, ODS, CSV, TXT, PNG, JPG, EML or MSG"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMAV_URL = ""


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def officer(croydon):
    return user_with_role(Role.OFFICER, username="officer", organisation=croydon)


@pytest.fixture
def recommendation(croydon, officer):
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    return recommendation_recorded(by=manager, owner=officer)


def evidence_errors(name: str, content: bytes) -> list[str]:
    form = EvidenceForm({"description": "Briefing"}, {"file": SimpleUploadedFile(name, content)})
    return form.errors.get("file", [])


def check(name: str, content: bytes, allowed=("pdf", "docx", "png", "jpg", "txt", "csv", "eml")):
    return upload_check(SimpleUploadedFile(name, content), allowed=allowed, max_bytes=10**6)


# --- What the file really is ------------------------------------------------------------------


def test_a_web_page_named_pdf_is_refused_as_what_it_is():
    page = b"<!DOCTYPE html><html><body><script>steal()</script></body></html>"

    assert evidence_errors("briefing.pdf", page) == [
        "This file is a web page (HTML), not a PDF: web pages can run scripts, so they are "
        "never accepted"
    ]


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg>\n<svg width="10"></svg>',
        b"\xef\xbb\xbf  <SVG onload='alert(1)'/>",
    ],
    ids=["svg", "with-xml-prolog", "bom-and-capitals"],
)
def test_an_svg_image_named_png_is_refused(content):
    assert evidence_errors("chart.png", content) == [
        "This file is an SVG image, not a PNG: SVG images can run scripts, so they are never "
        "accepted"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.txt",
            b"Plain enough\n" * 1000 + b"<script src=//evil.example></script>",
            "This file is a script, not a TXT: scripts are never accepted",
        ),
        (
            "cases.csv",
            b"case_reference,context\nCR-1,<iframe src=x>\n",
            "This file is a web page (HTML), not a CSV: web pages can run scripts, so they are "
            "never accepted",
        ),
        (
            "run.txt",
            b"#!/bin/sh\necho hello\n",
            "This file is a script, not a TXT: scripts are never accepted",
        ),
        (
            "data.csv",
            b'<?xml version="1.0"?><rows/>',
            "This file is an XML document, not a CSV: XML can carry web pages and scripts, so "
            "it is never accepted",
        ),
        (
            "report.docx",
            sample_files.docm(),
            "This file is an Office document with macros, not a DOCX: macros are programs, so "
            "they are never accepted",
        ),
        (
            "report.pdf",
            b"MZ\x90\x00" + bytes(60) + b"PE\x00\x00" + bytes(200),
            "This file is a program, not a PDF: programs are never accepted",
        ),
    ],
    ids=["script-in-text", "html-in-csv", "shell-script", "xml", "macros", "program"],
)
def test_markup_scripts_and_programs_are_refused_whatever_they_are_called(name, content, message):
    assert evidence_errors(name, content) == [message]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "briefing.docx",
            sample_files.pdf(),
            "This file is a PDF document, not a DOCX: give it the extension .pdf and upload it "
            "again",
        ),
        (
            "photo.jpg",
            sample_files.png(),
            "This file is a PNG image, not a JPG: give it the extension .png and upload it again",
        ),
        (
            "minute.pdf",
            b"RESOLVED to note the report",
            "This file is plain text, not a PDF: give it the extension .txt and upload it again",
        ),
        (
            "letter.eml",
            b"Dear Sir\nThe report was noted.\n",
            "This file is plain text, not an EML: give it the extension .txt and upload it again",
        ),
        (
            "minute.doc",
            sample_files.ole("Root Entry", "Workbook"),
            "This file is an Excel 97-2003 spreadsheet, not a DOC: give it the extension .xls "
            "and upload it again",
        ),
        (
            "report.docx",
            sample_files.plain_zip(),
            f"This file is a ZIP archive, not a DOCX: upload a {EVIDENCE_TYPES} file",
        ),
        (
            "chart.png",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            f"This file is a GIF file, not a PNG: upload a {EVIDENCE_TYPES} file",
        ),
    ],
    ids=["pdf-as-docx", "png-as-jpg", "text-as-pdf", "text-as-eml", "xls-as-doc", "zip", "gif"],
)
def test_the_extension_must_match_what_the_file_is(name, content, message):
    assert evidence_errors(name, content) == [message]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.txt",
            "Référé".encode("latin-1"),
            "This file is not a TXT: it is not text in UTF-8 (or in the encoding it declares). "
            "Save it as UTF-8 and upload it again",
        ),
        (
            "notes.txt",
            b"half\x00binary",
            "This file is not a TXT: it is not text in UTF-8 (or in the encoding it declares). "
            "Save it as UTF-8 and upload it again",
        ),
        (
            "scan.pdf",
            bytes(range(256)),
            "This file is not a PDF: its content is not of a type that is accepted",
        ),
    ],
    ids=["latin-1", "nul-bytes", "unknown-binary"],
)
def test_text_must_be_utf8_without_nul_and_unknown_content_is_refused(name, content, message):
    assert evidence_errors(name, content) == [message]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("briefing.pdf", sample_files.pdf(), "pdf"),
        ("briefing.docx", sample_files.docx(), "docx"),
        ("figures.xlsx", sample_files.xlsx(), "xlsx"),
        ("minute.odt", sample_files.odt(), "odt"),
        ("chart.png", sample_files.png(), "png"),
        ("photo.jpg", sample_files.jpeg(), "jpg"),
        ("photo.jpeg", sample_files.jpeg(), "jpg"),
        ("minute.txt", "RESOLVED \u2013 noted".encode(), "txt"),
        ("notes.txt", "\ufeffExcel's Unicode text".encode("utf-16"), "txt"),
        ("cases.csv", b"case_reference,team\nCR-1,Front Door\n", "csv"),
        ("club.txt", b"BMX club: the minute of the meeting", "txt"),  # "BM" starts a bitmap
        ("tags.csv", b"ID3,tag\n1,x\n", "csv"),  # "ID3" starts an MP3
        ("letter.eml", sample_files.email_message(html_body=True), "eml"),
        ("letter.eml", sample_files.email_message(html_body=False), "eml"),
        ("briefing.doc", sample_files.ole("Root Entry", "WordDocument"), "doc"),
        ("figures.xls", sample_files.ole("Root Entry", "Workbook"), "xls"),
        ("letter.msg", sample_files.ole("Root Entry", "__substg1.0_0037001F"), "msg"),
    ],
)
def test_each_allowed_kind_is_accepted_under_its_own_name(name, content, kind):
    allowed = ["pdf", "docx", "xlsx", "odt", "png", "jpg", "jpeg", "txt", "csv", "eml"]
    allowed += ["doc", "xls", "msg"]

    assert check(name, content, allowed=allowed).key == kind


def test_an_email_declared_in_latin1_is_accepted_but_undeclared_latin1_is_not():
    declared = sample_files.email_message(html_body=False).replace(
        b"charset=utf-8\r\n\r\nMinute attached", b"charset=iso-8859-1\r\n\r\nR\xe9f\xe9r\xe9"
    )
    undeclared = declared.replace(b"iso-8859-1", b"utf-8")

    assert check("letter.eml", declared).key == "eml"
    with pytest.raises(ValidationError, match="not text in UTF-8"):
        check("letter.eml", undeclared)


def test_the_name_and_size_are_checked_before_the_content(settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 100

    assert evidence_errors("page.html", b"<html>") == [
        f"The selected file must be a {EVIDENCE_TYPES}"
    ]
    assert evidence_errors("big.pdf", b"%PDF" + b"x" * 100) == [
        "The selected file must be smaller than 9.53674e-05MB"
    ]


# --- Kept under a name the server makes -------------------------------------------------------


def test_a_real_png_is_accepted_and_kept_under_a_name_the_server_makes(
    client, officer, recommendation, settings
):
    client.force_login(officer)
    content = sample_files.png()

    response = client.post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"description": "Chart", "file": SimpleUploadedFile("../../Chart (final).png", content)},
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert re.fullmatch(
        rf"evidence/{recommendation.pk}/[0-9a-f]{{32}}/Chart_final\.png", evidence.file.name
    )
    assert (Path(settings.MEDIA_ROOT) / evidence.file.name).read_bytes() == content
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    download = client.get(reverse("recommendations:evidence_download", args=[evidence.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="Chart_final.png"'


def test_two_files_of_the_same_name_are_kept_apart(recommendation, officer):
    kept = [
        services.evidence_add(
            recommendation=recommendation,
            description=f"Version {n}",
            file=SimpleUploadedFile("briefing.pdf", sample_files.pdf() + bytes([n])),
            by=officer,
            at=timezone.now(),
        ).file.name
        for n in range(2)
    ]

    assert kept[0] != kept[1]
    assert [Path(name).name for name in kept] == ["briefing.pdf", "briefing.pdf"]


def test_the_evidence_service_refuses_what_the_form_would(recommendation, officer):
    with pytest.raises(ValidationError) as raised:
        services.evidence_add(
            recommendation=recommendation,
            description="Briefing",
            file=SimpleUploadedFile("briefing.pdf", b"<html><body>Not a PDF</body></html>"),
            by=officer,
            at=timezone.now(),
        )

    assert raised.value.message_dict == {
        "file": [
            "This file is a web page (HTML), not a PDF: web pages can run scripts, so they are "
            "never accepted"
        ]
    }
    assert not Evidence.objects.exists()


@pytest.fixture
def committee(croydon):
    return Body.objects.create(
        name="Audit Committee", kind=BodyKind.COMMITTEE, organisation=croydon
    )


def test_committee_minutes_are_checked_and_kept_under_a_name_the_server_makes(
    recommendation, croydon, committee
):
    clerk = user_with_role(Role.COMMITTEE_CLERK, username="clerk", organisation=croydon)

    def record(name, content):
        return report_services.distribution_record(
            complaint=recommendation.complaint,
            organisation=croydon,
            body=committee,
            meeting_date=date(2022, 2, 15),
            what_was_sent="Progress report",
            minutes=SimpleUploadedFile(name, content),
            by=clerk,
            at=timezone.now(),
        )

    with pytest.raises(ValidationError) as raised:
        record("minutes.png", b"<svg onload='alert(1)'></svg>")
    entry = record("minutes.pdf", sample_files.pdf()).entry

    assert raised.value.message_dict == {
        "minutes": [
            "This file is an SVG image, not a PNG: SVG images can run scripts, so they are "
            "never accepted"
        ]
    }
    assert re.fullmatch(
        rf"reports/minutes/{recommendation.complaint_id}/[0-9a-f]{{32}}/minutes\.pdf",
        entry.minutes.name,
    )
    assert DistributionEntry.objects.count() == 1


def test_the_minutes_form_names_what_the_file_really_is(client, recommendation, croydon):
    clerk = user_with_role(Role.COMMITTEE_CLERK, username="clerk", organisation=croydon)
    client.force_login(clerk)
    body = Body.objects.create(name="Cabinet", kind=BodyKind.CABINET, organisation=croydon)

    response = client.post(
        reverse("reports:distribution_add", args=[recommendation.complaint_id]),
        {
            "organisation": croydon.pk,
            "body": body.pk,
            "what_was_sent": "Progress report",
            "meeting_date_day": 15,
            "meeting_date_month": 2,
            "meeting_date_year": 2022,
            "minutes": SimpleUploadedFile("minutes.pdf", b"<html><body>x</body></html>"),
        },
    )

    assert response.status_code == 200
    assert (
        page_text(response).count(
            "This file is a web page (HTML), not a PDF: web pages can run scripts"
        )
        == 2
    )  # the error summary and the field
    assert not DistributionEntry.objects.exists()


def test_a_population_file_that_is_a_web_page_is_refused_and_nothing_is_kept(
    client, croydon, settings
):
    manager = user_with_role(Role.MANAGER, username="croydon-manager", organisation=croydon)
    client.force_login(manager)

    response = client.post(
        reverse("audits:population_import"),
        {"file": SimpleUploadedFile("population.csv", b"<html><body>cases</body></html>")},
    )

    assert response.status_code == 200
    assert (
        "This file is a web page (HTML), not a CSV: web pages can run scripts, so they are "
        "never accepted" in page_text(response)
    )
    assert not PopulationUpload.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "population-uploads").exists()


# --- Virus scan through ClamAV's daemon ---------------------------------------------------------


class FakeClamd(socketserver.ThreadingTCPServer):
    """Speaks clamd's INSTREAM: finds the EICAR test string, or answers ``reply`` if set."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeClamdHandler)
        self.streams: list[bytes] = []
        self.reply: bytes | None = None

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.server_address[1]}"


class FakeClamdHandler(socketserver.StreamRequestHandler):
    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.rfile.read(1)
        assert command == b"zINSTREAM\0"
        stream = b""
        while length := struct.unpack("!I", self.rfile.read(4))[0]:
            stream += self.rfile.read(length)
        self.server.streams.append(stream)
        if self.server.reply is not None:
            reply = self.server.reply
        elif sample_files.eicar() in stream:
            reply = b"stream: Eicar-Test-Signature FOUND"
        else:
            reply = b"stream: OK"
        self.wfile.write(reply + b"\0")


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMAV_URL = server.url
    settings.CLAMAV_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def test_the_eicar_test_file_is_refused_as_a_virus(clamd, caplog):
    with caplog.at_level(logging.WARNING, logger="ombudsman_tracker.uploads"):
        errors = evidence_errors("notes.txt", sample_files.eicar())

    assert errors == [
        "The selected file contains a virus (Eicar-Test-Signature) and has not been kept"
    ]
    assert clamd.streams == [sample_files.eicar()]
    assert "ClamAV found Eicar-Test-Signature" in caplog.text


def test_a_clean_file_is_scanned_once_and_kept(client, officer, recommendation, clamd):
    client.force_login(officer)
    content = sample_files.docx()

    response = client.post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"description": "Briefing", "file": SimpleUploadedFile("briefing.docx", content)},
    )

    assert response.status_code == 302
    assert clamd.streams == [content]  # by the form; the service did not scan it again
    assert Evidence.objects.get().file.name.endswith("/briefing.docx")


def test_a_large_file_goes_to_the_daemon_in_chunks(clamd):
    content = b"case_reference,team\n" + b"CR-1,Front Door\n" * 20_000

    check("cases.csv", content)

    assert clamd.streams == [content]
    assert len(content) > clamav.CHUNK_BYTES


def test_when_the_daemon_is_down_the_upload_is_refused_and_logged(settings, caplog):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{port}"

    with caplog.at_level(logging.ERROR, logger="ombudsman_tracker.uploads"):
        errors = evidence_errors("briefing.pdf", sample_files.pdf())

    assert errors == ["The selected file could not be checked for viruses, try again later"]
    assert "the virus scan failed" in caplog.text


def test_a_daemon_that_gives_no_verdict_refuses_the_upload(clamd):
    clamd.reply = b"INSTREAM size limit exceeded. ERROR"

    assert evidence_errors("briefing.pdf", sample_files.pdf()) == [
        "The selected file could not be checked for viruses, try again later"
    ]


def test_a_file_refused_for_its_content_is_never_sent_to_the_daemon(clamd):
    evidence_errors("chart.png", b"<svg></svg>")

    assert clamd.streams == []


def test_a_population_file_is_scanned_before_it_is_kept(client, croydon, clamd):
    manager = user_with_role(Role.MANAGER, username="croydon-manager", organisation=croydon)
    client.force_login(manager)

    response = client.post(
        reverse("audits:population_import"),
        {"file": SimpleUploadedFile("population.csv", sample_files.eicar())},
    )

    assert (
        "The selected file contains a virus (Eicar-Test-Signature) and has not been kept"
        in page_text(response)
    )
    assert not PopulationUpload.objects.exists()
