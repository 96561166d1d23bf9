"""Pages for committee reports and the distribution ledger.

Views are adapters: check the permission, fetch through a selector scoped to the user (404
for another organisation's records), validate with a form, call a service, then redirect with
a message or render. Issued files are served only here, never from a media URL.
"""

import io
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from accounts.decorators import permission_needed
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.forms import add_service_errors
from recommendations.selectors import complaint_get_for, complaints_visible_to
from viewlog.downloads import csv_download, kept_file_download
from viewlog.services import ViewKind, view_record

from . import selectors, services
from .document import ReportDocument, report_document, tables_csv
from .drafts import draft_file
from .forms import DistributionForm, DistributionOutcomeForm, ReportChangeForm, ReportForm
from .models import CommitteeReport, ReportStatus
from .side_by_side import side_by_side, side_by_side_document

PAGE_SIZE = 25
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _document(report: CommitteeReport) -> ReportDocument:
    """An issued report's frozen content, or a draft's built from today's data."""
    if report.is_issued:
        return ReportDocument.from_json(report.content)
    return report_document(report=report, at=timezone.localdate(), status=services.DRAFT_STATUS)


def _file_stem(report: CommitteeReport) -> str:
    if report.is_issued:
        return Path(report.docx.name).stem
    return f"draft-report-{report.pk}"


def _report_form(request, report=None, *, initial=None):
    """The report form for the user's complaints, organisations and bodies."""
    complaints = complaints_visible_to(request.user).order_by("-report_date", "reference")
    organisations = selectors.organisations_reporting(request.user, complaints)
    form_class = ReportChangeForm if report else ReportForm
    return form_class(
        request.POST or None,
        initial=initial,
        complaints=complaints,
        organisations=organisations,
        bodies=selectors.bodies_visible_to(request.user),
    )


# --- Reports --------------------------------------------------------------------------------


@permission_needed("reports.view_committeereport")
def report_list(request):
    reports = selectors.reports_visible_to(request.user).prefetch_related("complaints")
    return render(
        request,
        "reports/committeereport_list.html",
        {
            "drafts": reports.filter(status=ReportStatus.DRAFT).order_by("-created_at"),
            "page_obj": _page(
                request,
                reports.filter(status=ReportStatus.ISSUED).order_by(
                    "-meeting_date", "-version_number", "-pk"
                ),
            ),
        },
    )


@permission_needed("reports.generate_report")
def report_create(request):
    """Prepare a draft; ``?from=<id>`` starts from an issued report, for its next version."""
    initial = None
    if source_pk := request.GET.get("from", "").strip():
        if not source_pk.isdigit():
            raise Http404("No such report")
        initial = ReportForm.initial_for(selectors.report_get_for(request.user, source_pk))
    form = _report_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_draft_create(
                by=request.user, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Draft report prepared: check it, then issue it")
            return redirect(report)
    return render(request, "reports/committeereport_form.html", {"form": form})


@permission_needed("reports.generate_report")
def report_update(request, pk):
    report = selectors.report_get_for(request.user, pk)
    if report.is_issued:
        messages.error(request, "An issued report cannot change: prepare a new version instead")
        return redirect(report)
    form = _report_form(request, report, initial=ReportForm.initial_for(report))
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            services.report_draft_update(report=report, by=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Draft report saved")
            return redirect(report)
    return render(request, "reports/committeereport_form.html", {"form": form, "report": report})


@permission_needed("reports.view_committeereport")
def report_detail(request, pk):
    report = selectors.report_get_for(request.user, pk)
    view_record(user=request.user, record=report, kind=ViewKind.COMMITTEE_REPORT, at=timezone.now())
    return render(
        request,
        "reports/committeereport_detail.html",
        {
            "report": report,
            "document": _document(report),
            "complaints": report.complaints.order_by("reference"),
        },
    )


@permission_needed("reports.issue_report")
def report_issue(request, pk):
    """Confirm, then freeze the draft (POST)."""
    report = selectors.report_get_for(request.user, pk)
    if report.is_issued:
        messages.error(request, f"Version {report.version_number} is already issued")
        return redirect(report)
    if request.method == "POST":
        try:
            report = services.report_issue(report=report, by=request.user, at=timezone.now())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Report issued as version {report.version_number}: its files are frozen",
            )
        return redirect(report)
    return render(request, "reports/committeereport_issue.html", {"report": report})


@permission_needed("reports.view_committeereport")
def report_docx(request, pk):
    report = selectors.report_get_for(request.user, pk)
    view_record(
        user=request.user,
        record=report,
        kind=ViewKind.COMMITTEE_REPORT,
        at=timezone.now(),
        download="docx",
    )
    if report.is_issued:
        return FileResponse(
            report.docx.open("rb"),
            as_attachment=True,
            filename=Path(report.docx.name).name,
            content_type=DOCX_TYPE,
        )
    return FileResponse(
        io.BytesIO(draft_file(_document(report), kind="docx")),
        as_attachment=True,
        filename=f"{_file_stem(report)}.docx",
        content_type=DOCX_TYPE,
    )


@permission_needed("reports.view_committeereport")
def report_pdf(request, pk):
    report = selectors.report_get_for(request.user, pk)
    view_record(
        user=request.user,
        record=report,
        kind=ViewKind.COMMITTEE_REPORT,
        at=timezone.now(),
        download="pdf",
    )
    if report.is_issued:
        return FileResponse(
            report.pdf.open("rb"),
            as_attachment=True,
            filename=Path(report.pdf.name).name,
            content_type="application/pdf",
        )
    return FileResponse(
        io.BytesIO(draft_file(_document(report), kind="pdf")),
        as_attachment=True,
        filename=f"{_file_stem(report)}.pdf",
        content_type="application/pdf",
    )


@permission_needed("reports.view_committeereport")
def report_csv(request, pk):
    """The report's tables, one after another; the byte-order mark lets Excel read UTF-8."""
    report = selectors.report_get_for(request.user, pk)
    response = csv_download(
        request, record=report, kind=ViewKind.COMMITTEE_REPORT, filename=f"{_file_stem(report)}.csv"
    )
    tables_csv(_document(report), response)
    return response


# --- The distribution ledger ----------------------------------------------------------------


@permission_needed("reports.view_distributionentry")
def distribution_list(request):
    """The complaints the user may see, with how many ledger entries each has."""
    entries = Q()
    if not request.user.sees_every_organisation:
        entries = Q(distribution__organisation=request.user.organisation_id)
    complaints = complaints_visible_to(request.user).annotate(
        entry_count=Count("distribution", filter=entries, distinct=True)
    )
    return render(
        request,
        "reports/distributionentry_list.html",
        {"page_obj": _page(request, complaints.order_by("-report_date", "reference"))},
    )


@permission_needed("reports.view_distributionentry")
def distribution_ledger(request, pk):
    complaint = complaint_get_for(request.user, pk)
    today = timezone.localdate()
    rows = [
        (entry, entry.resolution_text(on=today), entry.awaits_outcome(on=today))
        for entry in selectors.distribution_for(request.user, complaint)
    ]
    return render(
        request, "reports/distributionentry_ledger.html", {"complaint": complaint, "rows": rows}
    )


@permission_needed("reports.add_distributionentry")
def distribution_add(request, pk):
    complaint = complaint_get_for(request.user, pk)
    form = DistributionForm(
        request.POST or None,
        request.FILES or None,
        organisations=selectors.organisations_reporting(request.user, [complaint]),
        bodies=selectors.bodies_visible_to(request.user),
        reports=selectors.issued_reports_on(request.user, complaint),
    )
    if request.method == "POST" and form.is_valid():
        try:
            distributed = services.distribution_record(
                complaint=complaint, by=request.user, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            entry, clock = distributed.entry, distributed.clock_completed
            message = f"Recorded: sent or presented to {entry.body}"
            if entry.is_planned(on=timezone.localdate()):
                message = (
                    f"Recorded as planned: {entry.body} on {date_text(entry.meeting_date)}. "
                    "Record the resolution after the meeting"
                )
            if clock is not None:
                message += (
                    f". The s31(2) response clock for {entry.organisation} is met "
                    f"(sent on {date_text(clock.completed_on)})"
                )
            messages.success(request, message)
            return redirect("reports:distribution_ledger", complaint.pk)
    return render(
        request, "reports/distributionentry_form.html", {"form": form, "complaint": complaint}
    )


@permission_needed("reports.add_distributionentry")
def distribution_outcome(request, pk):
    """The resolution or minutes of a meeting held since its entry was recorded."""
    entry = selectors.entry_get_for(request.user, pk)
    form = DistributionOutcomeForm(request.POST or None, request.FILES or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.distribution_outcome_record(
                entry=entry, by=request.user, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Recorded for the meeting on {date_text(entry.meeting_date)}"
            )
            return redirect("reports:distribution_ledger", entry.complaint_id)
    return render(
        request, "reports/distributionentry_outcome_form.html", {"form": form, "entry": entry}
    )


@permission_needed("reports.view_distributionentry")
def minutes_download(request, pk):
    """The minutes, as an attachment, to users who may see the entry (never a media URL)."""
    entry = selectors.entry_get_for(request.user, pk)
    if not entry.minutes:
        raise Http404("No minutes were attached.")
    return kept_file_download(request, record=entry, kind=ViewKind.MINUTES, file=entry.minutes)


# --- A shared complaint, each council side by side ------------------------------------------

SIDE_BY_SIDE_STATUS = "Not issued: the records as they stand on the day shown"


def _side_by_side(request, pk):
    """The complaint, its councils' picture as at today and the picture as a document; 404
    for anyone whose access does not cover every council it binds."""
    complaint, organisations = selectors.side_by_side_get_for(request.user, pk)
    picture = side_by_side(
        complaint=complaint, organisations=organisations, at=timezone.localdate()
    )
    return complaint, side_by_side_document(picture, status=SIDE_BY_SIDE_STATUS)


@permission_needed(selectors.SIDE_BY_SIDE)
def complaint_side_by_side(request, pk):
    complaint, document = _side_by_side(request, pk)
    view_record(user=request.user, record=complaint, kind=ViewKind.COMPLAINT, at=timezone.now())
    return render(
        request,
        "reports/complaint_side_by_side.html",
        {"complaint": complaint, "document": document},
    )


def _side_by_side_file(request, pk, *, kind: str, content_type: str):
    complaint, document = _side_by_side(request, pk)
    view_record(
        user=request.user,
        record=complaint,
        kind=ViewKind.COMPLAINT,
        at=timezone.now(),
        download=kind,
    )
    return FileResponse(
        io.BytesIO(draft_file(document, kind=kind)),
        as_attachment=True,
        filename=f"side-by-side-{slugify(complaint.reference)}.{kind}",
        content_type=content_type,
    )


@permission_needed(selectors.SIDE_BY_SIDE)
def complaint_side_by_side_docx(request, pk):
    return _side_by_side_file(request, pk, kind="docx", content_type=DOCX_TYPE)


@permission_needed(selectors.SIDE_BY_SIDE)
def complaint_side_by_side_pdf(request, pk):
    return _side_by_side_file(request, pk, kind="pdf", content_type="application/pdf")
