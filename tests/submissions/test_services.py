"""An officer reports to the Ombudsman what Croydon did on two recommendations, with the evidence:
the letter, the zip and its index, the checks before sending, and what sending records."""

import csv
import hashlib
import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from recommendations.models import RecommendationStatus
from reports.models import DistributionEntry
from submissions import services
from submissions.models import Submission, SubmissionStatus
from tests.submissions.conftest import AUDIT, BRIEFING, SENT_AT, SENT_ON, both_items, sent
from verdicts.models import AwaitedReply


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _draft_letter(submission):
    from submissions.letter import DRAFT_STATUS, letter_document

    return letter_document(
        complaint=submission.complaint,
        organisation=submission.organisation,
        items=services.letter_items(submission),
        on=None,
        status=DRAFT_STATUS,
    )


def _texts(document) -> list[str]:
    texts = [document.title, *(value for _, value in document.facts)]
    for block in document.blocks:
        if block.kind == "table":
            texts += [block.caption, *block.header, *(cell for row in block.rows for cell in row)]
        else:
            texts.append(block.text)
    return texts


# --- The letter -----------------------------------------------------------------------------


def _stored(evidence) -> str:
    return evidence.file.name.split("/")[-1]


def test_the_letter_states_for_each_recommendation_what_was_recommended_done_and_enclosed(
    draft, evidence
):
    document = _draft_letter(draft)

    assert document.title == "Action taken on complaint 21 000 001"
    assert dict(document.facts) == {
        "To": "Local Government and Social Care Ombudsman",
        "From": "Croydon Council",
        "Complaint": "21 000 001: Cross-border child protection referral",
        "Date": "Not sent yet",
        "Status": "Draft: not sent",
    }
    texts = _texts(document)
    start = texts.index("Recommendation 1")
    assert texts[start : start + 4] == [
        "Recommendation 1",
        "What was recommended: Share the learning across the organisation.",
        "What was done: Briefed every social care team on cross-border referrals.",
        "When: done on 14 January 2022; it was due on 26 February 2022.",
    ]
    [one, two] = [block for block in document.blocks if block.kind == "table"]
    assert one.caption == "Evidence enclosed for recommendation 1"
    assert one.rows == [
        [
            "Briefing to social care staff",
            f"recommendation-1/01-{_stored(evidence['briefing'])}",
            _sha(BRIEFING),
        ],
        [
            "Intranet page on cross-border referrals",
            "https://intranet.example.org/cross-border",
            "None: a link",
        ],
    ]
    assert two.rows == [
        ["Audit report", f"recommendation-2/01-{_stored(evidence['audit'])}", _sha(AUDIT)]
    ]
    assert "section 31(2)" in texts[1 + texts.index("Purpose of this letter")]


def test_the_letter_names_no_user(draft, officer, manager):
    sent_submission = sent(draft, officer)
    names = {officer.first_name, officer.last_name, manager.first_name, manager.last_name}

    draft_text = " ".join(_texts(_draft_letter(draft)))
    frozen = str(sent_submission.content)
    with sent_submission.letter_docx.open("rb") as file:
        docx_text = " ".join(p.text for p in Document(file).paragraphs)

    for name in names:
        assert name not in draft_text
        assert name not in frozen
        assert name not in docx_text
    assert "What was done: Briefed every social care team" in docx_text


# --- The zip and its index ------------------------------------------------------------------


def test_the_zip_holds_each_file_with_the_checksum_its_index_gives(draft, officer, evidence):
    submission = sent(draft, officer)

    with submission.evidence_zip.open("rb") as file:
        data = file.read()
    assert _sha(data) == submission.evidence_zip_sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    index = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert index == [
        {
            "File in the zip": f"recommendation-1/01-{_stored(evidence['briefing'])}",
            "Recommendation": "1",
            "Description": "Briefing to social care staff",
            "Address": "",
            "SHA-256": _sha(BRIEFING),
        },
        {
            "File in the zip": "",
            "Recommendation": "1",
            "Description": "Intranet page on cross-border referrals",
            "Address": "https://intranet.example.org/cross-border",
            "SHA-256": "",
        },
        {
            "File in the zip": f"recommendation-2/01-{_stored(evidence['audit'])}",
            "Recommendation": "2",
            "Description": "Audit report",
            "Address": "",
            "SHA-256": _sha(AUDIT),
        },
    ]
    files = [row for row in index if row["File in the zip"]]
    assert sorted(archive.namelist()) == sorted(
        ["index.csv", *(r["File in the zip"] for r in files)]
    )
    for row in files:
        assert _sha(archive.read(row["File in the zip"])) == row["SHA-256"]
    assert archive.read(f"recommendation-2/01-{_stored(evidence['audit'])}") == AUDIT


def test_a_file_changed_since_it_was_added_refuses_the_submission(draft, officer, evidence):
    stored = evidence["audit"].file
    with stored.storage.open(stored.name, "wb") as file:
        file.write(b"%PDF-1.4 an altered audit report")

    with pytest.raises(ValidationError, match="no longer matches the SHA-256 checksum"):
        sent(draft, officer)

    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT
    assert (draft.evidence_zip.name, draft.letter_pdf.name) == ("", "")
    assert not DistributionEntry.objects.filter(complaint=draft.complaint).exists()
    assert not AwaitedReply.objects.exists()


# --- Sending --------------------------------------------------------------------------------


def test_sending_records_the_ledger_entry_and_completes_the_s31_clock(
    draft, officer, croydon, evidence
):
    submission = sent(draft, officer)

    entry = submission.distribution_entry
    assert (entry.body.name, entry.meeting_date, entry.recorded_by, entry.organisation) == (
        "Local Government and Social Care Ombudsman",
        SENT_ON,
        officer,
        croydon,
    )
    assert entry.what_was_sent.splitlines()[:4] == [
        "Evidence submission: cover letter and evidence zip.",
        f"Letter (Word) SHA-256 {submission.letter_docx_sha256}",
        f"Letter (PDF) SHA-256 {submission.letter_pdf_sha256}",
        f"Evidence zip SHA-256 {submission.evidence_zip_sha256}",
    ]
    audit = f"recommendation-2/01-{_stored(evidence['audit'])}"
    assert f"{audit} SHA-256 {_sha(AUDIT)}" in entry.what_was_sent
    assert (
        "Link for recommendation 1: https://intranet.example.org/cross-border"
        in entry.what_was_sent
    )
    clock = Deadline.objects.get(
        complaint=draft.complaint, organisation=croydon, kind=DeadlineKind.S31_RESPONSE
    )
    assert (clock.status, clock.completed_on) == (DeadlineStatus.MET, SENT_ON)


def test_sending_marks_each_recommendation_awaiting_the_ombudsman(draft, officer, recommendations):
    sent(draft, officer)

    share, audit, kents = (r.__class__.objects.get(pk=r.pk) for r in recommendations)
    assert [share.status, audit.status, kents.status] == [
        RecommendationStatus.AWAITING_OMBUDSMAN,
        RecommendationStatus.AWAITING_OMBUDSMAN,
        RecommendationStatus.OPEN,
    ]
    assert sorted(
        AwaitedReply.objects.values_list("recommendation__number", "sent_on", "reference")
    ) == [
        (1, SENT_ON, f"Evidence submission {draft.pk}"),
        (2, SENT_ON, f"Evidence submission {draft.pk}"),
    ]


def test_the_redaction_confirmation_is_required_and_recorded(draft, officer):
    with pytest.raises(ValidationError) as refused:
        services.submission_send(
            submission=draft, redaction_confirmed=False, by=officer, at=SENT_AT, version=1
        )
    assert refused.value.message_dict == {
        "redaction_confirmed": ["Confirm that the evidence files are redacted"]
    }
    assert Submission.objects.get(pk=draft.pk).status == SubmissionStatus.DRAFT

    submission = sent(draft, officer)

    assert (submission.redaction_confirmed_by, submission.redaction_confirmed_at) == (
        officer,
        SENT_AT,
    )
    assert submission.history.first().history_change_reason == (
        "Sent to the Local Government and Social Care Ombudsman on 21 February 2022; the "
        "evidence files were confirmed redacted by the sender"
    )


def test_a_sent_submission_is_frozen_and_cannot_be_changed_or_sent_again(
    draft, officer, recommendations, evidence
):
    submission = sent(draft, officer)
    checksums = (
        submission.letter_docx_sha256,
        submission.letter_pdf_sha256,
        submission.evidence_zip_sha256,
    )
    content = submission.content

    with pytest.raises(ValidationError, match="cannot change: prepare a new one"):
        services.submission_draft_update(
            submission=submission,
            items=both_items(recommendations, evidence)[:1],
            by=officer,
            at=SENT_AT,
            version=submission.version,
        )
    with pytest.raises(ValidationError, match="cannot change: prepare a new one"):
        sent(Submission.objects.get(pk=submission.pk), officer)

    submission = Submission.objects.get(pk=submission.pk)
    assert submission.items.count() == 2
    assert submission.content == content
    for field, checksum in zip(
        ("letter_docx", "letter_pdf", "evidence_zip"), checksums, strict=True
    ):
        with getattr(submission, field).open("rb") as file:
            assert _sha(file.read()) == checksum
    assert DistributionEntry.objects.filter(complaint=submission.complaint).count() == 1


def test_a_draft_changed_by_someone_else_is_not_sent(draft, officer, recommendations, evidence):
    services.submission_draft_update(
        submission=draft,
        items=both_items(recommendations, evidence)[:1],
        by=officer,
        at=SENT_AT,
        version=1,
    )

    with pytest.raises(services.ConflictError):
        services.submission_send(
            submission=draft, redaction_confirmed=True, by=officer, at=SENT_AT, version=1
        )


def test_each_recommendation_needs_what_was_done_a_past_date_and_its_own_evidence(
    complaint, croydon, recommendations, evidence, officer
):
    share, audit, _ = recommendations
    items = [
        services.ItemChoice(share, "  ", date(2022, 1, 14), [evidence["briefing"]]),
        services.ItemChoice(audit, "Audited.", date(2030, 1, 1), [evidence["briefing"]]),
    ]

    with pytest.raises(ValidationError) as refused:
        services.submission_draft_create(
            complaint=complaint, organisation=croydon, items=items, by=officer, at=SENT_AT
        )

    assert refused.value.message_dict == {
        f"r{share.pk}_done": ["Enter what was done for recommendation 1"],
        f"r{audit.pk}_done_on": ["The date recommendation 2 was done must be today or in the past"],
        f"r{audit.pk}_evidence": ["Choose evidence of recommendation 2 only"],
    }


def test_another_councils_recommendation_cannot_be_reported(
    complaint, croydon, recommendations, officer
):
    kents = recommendations[2]

    with pytest.raises(ValidationError, match="is not one of Croydon Council's"):
        services.submission_draft_create(
            complaint=complaint,
            organisation=croydon,
            items=[services.ItemChoice(kents, "Done.", date(2022, 1, 14), [])],
            by=officer,
            at=SENT_AT,
        )
