"""Pages for evidence submissions to the Ombudsman.

Views are adapters: check the permission, fetch through a selector scoped to the user (404 for
another organisation's records), validate with a form, call a service, then redirect with a
message or render. The letter and the zip are served only here, never from a media URL, each
download in the view log.
"""

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import permission_needed
from ombudsman_tracker.forms import add_service_errors
from recommendations.selectors import complaint_get_for
from reports.document import ReportDocument
from reports.drafts import draft_file
from viewlog.services import ViewKind, view_record

from . import selectors, services
from .evidence_zip import IndexRow, evidence_index, evidence_zip_write
from .forms import SendForm, SubmissionForm
from .letter import DRAFT_STATUS, letter_document
from .models import SubmissionItem

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _organisation_or_404(request, complaint):
    organisation = selectors.reporting_organisation(request.user, complaint)
    if organisation is None:
        raise Http404("Your organisation is not bound by this complaint.")
    return organisation


def _draft_letter(submission, items) -> ReportDocument:
    return letter_document(
        complaint=submission.complaint,
        organisation=submission.organisation,
        items=items,
        on=None,
        status=DRAFT_STATUS,
    )


def _letter_and_index(submission) -> tuple[ReportDocument, list[IndexRow]]:
    """A sent submission's frozen letter and index, or a draft's built from its items now."""
    if submission.is_sent:
        return (
            ReportDocument.from_json(submission.content["letter"]),
            [IndexRow(**row) for row in submission.content["index"]],
        )
    items = services.letter_items(submission)
    return _draft_letter(submission, items), evidence_index(items)


# --- Listing and preparing ------------------------------------------------------------------


@permission_needed("submissions.view_submission")
def submission_list(request, pk):
    complaint = complaint_get_for(request.user, pk)
    submissions = selectors.complaint_submissions(request.user, complaint).prefetch_related(
        Prefetch(
            "items",
            queryset=SubmissionItem.objects.select_related("recommendation").order_by(
                "recommendation__number"
            ),
        )
    )
    may_prepare = request.user.has_perm(
        "submissions.prepare_submission"
    ) and selectors.reporting_organisation(request.user, complaint)
    return render(
        request,
        "submissions/submission_list.html",
        {"complaint": complaint, "submissions": submissions, "may_prepare": bool(may_prepare)},
    )


@permission_needed("submissions.prepare_submission")
def submission_create(request, pk):
    complaint = complaint_get_for(request.user, pk)
    organisation = _organisation_or_404(request, complaint)
    recommendations = selectors.recommendations_to_report(
        complaint=complaint, organisation=organisation
    )
    form = SubmissionForm(request.POST or None, recommendations=recommendations)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_draft_create(
                complaint=complaint,
                organisation=organisation,
                items=form.items(),
                by=request.user,
                at=timezone.now(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Draft submission prepared: check it, then send it")
            return redirect("submissions:submission_check", submission.pk)
    return render(
        request,
        "submissions/submission_form.html",
        {"form": form, "complaint": complaint, "organisation": organisation},
    )


@permission_needed("submissions.prepare_submission")
def submission_update(request, pk):
    submission = selectors.submission_get_for(request.user, pk)
    if submission.is_sent:
        messages.error(request, "A sent submission cannot change: prepare a new one instead")
        return redirect(submission)
    recommendations = selectors.recommendations_to_report(
        complaint=submission.complaint, organisation=submission.organisation
    )
    initial = SubmissionForm.initial_for(submission, services.letter_items(submission))
    form = SubmissionForm(request.POST or None, initial=initial, recommendations=recommendations)
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_draft_update(
                submission=submission,
                items=form.items(),
                by=request.user,
                at=timezone.now(),
                version=form.cleaned_data["version"] or submission.version,
            )
        except services.ConflictError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Draft submission saved: check it, then send it")
            return redirect("submissions:submission_check", submission.pk)
    return render(
        request,
        "submissions/submission_form.html",
        {
            "form": form,
            "complaint": submission.complaint,
            "organisation": submission.organisation,
            "submission": submission,
        },
    )


# --- Checking and sending -------------------------------------------------------------------


@permission_needed("submissions.view_submission")
def submission_detail(request, pk):
    submission = selectors.submission_get_for(request.user, pk)
    view_record(
        user=request.user,
        record=submission,
        kind=ViewKind.EVIDENCE_SUBMISSION,
        at=timezone.now(),
    )
    document, index = _letter_and_index(submission)
    return render(
        request,
        "submissions/submission_detail.html",
        {"submission": submission, "document": document, "index": index},
    )


@permission_needed("submissions.send_submission")
def submission_check(request, pk):
    """Check your submission: the letter, the index and the redaction confirmation; then send
    it (POST)."""
    submission = selectors.submission_get_for(request.user, pk)
    if submission.is_sent:
        messages.error(request, "This submission has been sent: prepare a new one to send more")
        return redirect(submission)
    form = SendForm(request.POST or None, initial={"version": submission.version})
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.submission_send(
                submission=submission,
                redaction_confirmed=form.cleaned_data["redaction_confirmed"],
                by=request.user,
                at=timezone.now(),
                version=form.cleaned_data["version"],
            )
        except services.ConflictError as error:
            # Nothing was sent: the page opens again on the latest draft, to check it again.
            messages.error(request, str(error))
            return redirect("submissions:submission_check", submission.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Sent: the letter and the evidence zip are frozen with their checksums, and "
                "the sending is in the distribution ledger",
            )
            return redirect(sent)
    items = services.letter_items(submission)
    return render(
        request,
        "submissions/submission_check.html",
        {
            "form": form,
            "submission": submission,
            "items": items,
            "document": _draft_letter(submission, items),
            "index": evidence_index(items),
        },
    )


# --- Downloads ------------------------------------------------------------------------------


def _logged(request, submission, download: str) -> None:
    view_record(
        user=request.user,
        record=submission,
        kind=ViewKind.EVIDENCE_SUBMISSION,
        at=timezone.now(),
        download=download,
    )


def _letter_download(request, pk, kind: str, content_type: str):
    submission = selectors.submission_get_for(request.user, pk)
    _logged(request, submission, kind)
    if submission.is_sent:
        file = submission.letter_docx if kind == "docx" else submission.letter_pdf
        return FileResponse(
            file.open("rb"),
            as_attachment=True,
            filename=Path(file.name).name,
            content_type=content_type,
        )
    document, _ = _letter_and_index(submission)
    return FileResponse(
        io.BytesIO(draft_file(document, kind=kind)),
        as_attachment=True,
        filename=f"draft-evidence-letter-{submission.pk}.{kind}",
        content_type=content_type,
    )


@permission_needed("submissions.view_submission")
def letter_docx(request, pk):
    return _letter_download(request, pk, "docx", DOCX_TYPE)


@permission_needed("submissions.view_submission")
def letter_pdf(request, pk):
    return _letter_download(request, pk, "pdf", "application/pdf")


@permission_needed("submissions.view_submission")
def evidence_zip(request, pk):
    """The sent zip as stored; a draft's assembled now, its files' checksums checked."""
    submission = selectors.submission_get_for(request.user, pk)
    if submission.is_sent:
        _logged(request, submission, "zip")
        return FileResponse(
            submission.evidence_zip.open("rb"),
            as_attachment=True,
            filename=Path(submission.evidence_zip.name).name,
            content_type="application/zip",
        )
    # Not a ``with`` block: the response closes the file once it has been sent.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        evidence_zip_write(services.letter_items(submission), archive, on=timezone.localdate())
    except ValidationError as error:
        archive.close()
        messages.error(request, " ".join(error.messages))
        return redirect("submissions:submission_check", submission.pk)
    archive.seek(0)
    _logged(request, submission, "zip")
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"draft-evidence-{submission.pk}.zip",
        content_type="application/zip",
    )
