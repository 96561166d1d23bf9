"""Pages for complaints, recommendations, evidence, extensions and the spreadsheet tracker.

Views are adapters: check the permission, fetch through a selector scoped to the user (404
for another organisation's records), validate with a form, call a service, then redirect
with a message or render. Today's date is read here once and passed down as ``at``.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import permission_needed
from deadlines import services as deadline_services
from deadlines.models import ExtensionStatus
from ombudsman_tracker.formats import date_text, listed
from ombudsman_tracker.forms import add_service_errors, after_conflict
from viewlog.downloads import csv_streamed_download, kept_file_download
from viewlog.services import ViewKind, view_record

from . import presentation, selectors, services, timeline, tracker_csv
from .forms import (
    ComplaintChangeForm,
    ComplaintFilterForm,
    ComplaintForm,
    DeadlineOverrideForm,
    EvidenceForm,
    ExtensionDecisionForm,
    ExtensionForm,
    RecommendationChangeForm,
    RecommendationFilterForm,
    RecommendationForm,
    StatusForm,
    TrackerImportForm,
)

PAGE_SIZE = 25
# A timeline shows this many events at a time, newest first, with links to older ones.
HISTORY_PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class HistoryPage:
    """One page of a timeline (``timeline.Event`` list), newest first: page 1 is the latest
    ``HISTORY_PAGE_SIZE`` events. A long history is never read whole to show one page."""

    events: list
    number: int
    has_older: bool

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def first(self) -> int:
        return (self.number - 1) * HISTORY_PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.events) - 1


def _history_page(request, timeline_to) -> HistoryPage:
    """The page of a timeline asked for by ``?history=N`` (1 if missing or not a number);
    ``timeline_to(limit)`` gives its newest ``limit`` events."""
    try:
        number = max(1, int(request.GET.get("history", 1)))
    except ValueError:
        number = 1
    start = (number - 1) * HISTORY_PAGE_SIZE
    # One more than the page, to know whether older events are left.
    events = timeline_to(start + HISTORY_PAGE_SIZE + 1)[start:]
    return HistoryPage(
        events=events[:HISTORY_PAGE_SIZE],
        number=number,
        has_older=len(events) > HISTORY_PAGE_SIZE,
    )


# --- Home -----------------------------------------------------------------------------------


@permission_needed("recommendations.view_recommendation")
def home(request):
    today = timezone.localdate()
    attention = selectors.attention_for(request.user, at=today)
    return render(request, "home.html", {"attention": attention, "today": today})


# --- Complaints -----------------------------------------------------------------------------


@permission_needed("recommendations.view_complaint")
def complaint_list(request):
    today = timezone.localdate()
    filters = ComplaintFilterForm(
        request.GET, organisations=selectors.organisations_for_filters(request.user)
    )
    filters.is_valid()  # invalid filters are left out of cleaned_data, and so ignored
    complaints = selectors.complaints_listed(request.user, at=today, **filters.cleaned_data)
    return render(
        request,
        "recommendations/complaint_list.html",
        {"filters": filters, "page_obj": _page(request, complaints), "today": today},
    )


@permission_needed("recommendations.view_complaint")
def complaint_detail(request, pk):
    today = timezone.localdate()
    complaint = selectors.complaint_get_for(request.user, pk)
    view_record(user=request.user, record=complaint, kind=ViewKind.COMPLAINT, at=timezone.now())
    history = _history_page(
        request, lambda limit: timeline.complaint_timeline(request.user, complaint, limit=limit)
    )
    return render(
        request,
        "recommendations/complaint_detail.html",
        {
            "complaint": complaint,
            "organisations": list(complaint.organisations.all()),
            "clocks": selectors.complaint_clocks(request.user, complaint),
            "recommendations": _page(
                request, selectors.complaint_recommendations(request.user, complaint)
            ),
            "history": history,
            "events": history.events,
            "today": today,
        },
    )


@permission_needed("recommendations.add_complaint")
def complaint_create(request):
    form = ComplaintForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_create(by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except services.ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Complaint {complaint.reference} recorded")
            return redirect(complaint)
    return render(request, "recommendations/complaint_form.html", {"form": form})


@permission_needed("recommendations.change_complaint")
def complaint_update(request, pk):
    complaint = selectors.complaint_get_for(request.user, pk)
    form = ComplaintChangeForm(
        request.POST or None,
        instance=complaint,
        initial={"version": complaint.version},
        user=request.user,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_update(
                complaint=complaint,
                version=form.cleaned_data["version"],
                by=request.user,
                **form.service_fields(),
            )
        except services.ConflictError as error:
            complaint = selectors.complaint_get_for(request.user, pk)
            form = after_conflict(
                form, error, version=complaint.version, instance=complaint, user=request.user
            )
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Complaint {complaint.reference} saved")
            return redirect(complaint)
    organisations = list(complaint.organisations.all())
    shared_with = services.organisations_not_covered(request.user, organisations)
    return render(
        request,
        "recommendations/complaint_form.html",
        {
            "form": form,
            "complaint": complaint,
            "conflict": conflict,
            "organisations": organisations,
            "shared_facts_editable": services.complaint_shared_facts_editable_by(
                complaint, request.user
            ),
            "shared_with": listed(shared_with),
        },
    )


# --- Recommendations ------------------------------------------------------------------------


@permission_needed("recommendations.view_recommendation")
def recommendation_list(request):
    today = timezone.localdate()
    filters = RecommendationFilterForm(
        request.GET, organisations=selectors.organisations_for_filters(request.user)
    )
    filters.is_valid()
    recommendations = selectors.recommendations_listed(
        request.user, at=today, **filters.cleaned_data
    )
    return render(
        request,
        "recommendations/recommendation_list.html",
        {"filters": filters, "page_obj": _page(request, recommendations), "today": today},
    )


@permission_needed("recommendations.view_recommendation")
def recommendation_detail(request, pk):
    today = timezone.localdate()
    recommendation = selectors.recommendation_get_for(request.user, pk)
    deadline = recommendation.deadline
    history = _history_page(
        request, lambda limit: timeline.recommendation_timeline(recommendation, limit=limit)
    )
    return render(
        request,
        "recommendations/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "deadline": deadline,
            "outcome": recommendation.outcome(at=today),
            "evidence": _page(request, recommendation.evidence.select_related("added_by")),
            "extensions": presentation.extension_rows(
                deadline.extensions.select_related("requested_by", "decided_by"),
                user=request.user,
            ),
            "actions": presentation.recommendation_actions(recommendation, user=request.user),
            "history": history,
            "events": history.events,
            "today": today,
        },
    )


@permission_needed("recommendations.add_recommendation")
def recommendation_create(request, pk):
    complaint = selectors.complaint_get_for(request.user, pk)
    form = RecommendationForm(
        request.POST or None,
        complaint=complaint,
        user=request.user,
        initial={"number": complaint.recommendations.count() + 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_create(
                complaint=complaint,
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                rule=form.rule,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Recommendation {recommendation.number} recorded: due on "
                f"{date_text(recommendation.deadline.due_date)}",
            )
            return redirect(recommendation)
    return render(
        request,
        "recommendations/recommendation_form.html",
        {"form": form, "complaint": complaint},
    )


@permission_needed("recommendations.change_recommendation")
def recommendation_update(request, pk):
    recommendation = selectors.recommendation_get_for(request.user, pk)
    complaint = recommendation.complaint
    form_kwargs = {"complaint": complaint, "user": request.user, "recommendation": recommendation}
    form = RecommendationChangeForm(
        request.POST or None,
        initial=RecommendationForm.initial_for(recommendation),
        **form_kwargs,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_update(
                recommendation=recommendation,
                version=form.cleaned_data["version"],
                by=request.user,
                rule=form.rule if form.rule_changed else None,
                **form.service_fields(),
            )
        except services.ConflictError as error:
            latest = selectors.recommendation_get_for(request.user, pk)
            form = after_conflict(
                form,
                error,
                version=latest.version,
                initial=RecommendationForm.initial_for(latest),
                **form_kwargs,
            )
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recommendation {recommendation.number} saved")
            return redirect(recommendation)
    return render(
        request,
        "recommendations/recommendation_form.html",
        {
            "form": form,
            "complaint": complaint,
            "recommendation": recommendation,
            "conflict": conflict,
        },
    )


@permission_needed("recommendations.change_recommendation_status")
def recommendation_status(request, pk):
    today = timezone.localdate()
    recommendation = selectors.recommendation_get_for(request.user, pk)
    form_kwargs = {"recommendation": recommendation, "today": today}
    form = StatusForm(
        request.POST or None,
        initial={"on": today, "version": recommendation.version},
        **form_kwargs,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_transition(
                recommendation=recommendation,
                to_status=form.cleaned_data["to_status"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.ConflictError as error:
            latest = selectors.recommendation_get_for(request.user, pk)
            form = after_conflict(
                form, error, version=latest.version, recommendation=latest, today=today
            )
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Recommendation {recommendation.number} is now "
                f"{recommendation.get_status_display().lower()}",
            )
            return redirect(recommendation)
    return render(
        request,
        "recommendations/recommendation_status.html",
        {"form": form, "recommendation": recommendation, "conflict": conflict},
    )


# --- Evidence -------------------------------------------------------------------------------


@permission_needed("recommendations.add_evidence")
def evidence_add(request, pk):
    recommendation = selectors.recommendation_get_for(request.user, pk)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(
                recommendation=recommendation,
                description=form.cleaned_data["description"],
                file=form.cleaned_data["file"],
                url=form.cleaned_data["url"],
                by=request.user,
                at=timezone.now(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Evidence added: {form.cleaned_data['description']}")
            return redirect(recommendation)
    return render(
        request,
        "recommendations/evidence_form.html",
        {"form": form, "recommendation": recommendation},
    )


@permission_needed("recommendations.view_evidence")
def evidence_download(request, pk):
    """The file, as an attachment, to users who may see its recommendation (never a media URL)."""
    evidence = selectors.evidence_get_for(request.user, pk)
    if not evidence.file:
        raise Http404("This evidence is a link, not a file.")
    return kept_file_download(request, record=evidence, kind=ViewKind.EVIDENCE, file=evidence.file)


# --- Extensions -----------------------------------------------------------------------------


@permission_needed("recommendations.request_extension")
def extension_create(request, pk):
    """Officers request an extension; managers (decide_extension) record an agreed one."""
    recommendation = selectors.recommendation_get_for(request.user, pk)
    records = request.user.has_perm("recommendations.decide_extension")
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record_or_request = (
            deadline_services.extension_record if records else deadline_services.extension_request
        )
        try:
            extension = record_or_request(
                deadline=recommendation.deadline,
                by=request.user,
                at=timezone.now(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, presentation.extension_message(extension))
            return redirect(recommendation)
    return render(
        request,
        "recommendations/extension_form.html",
        {"form": form, "recommendation": recommendation, "records": records},
    )


@permission_needed("recommendations.decide_extension")
def extension_decide(request, pk):
    """What is asked (the deadline, its dates, the date asked for, the reason and its basis),
    then the manager's decision. A request decided meanwhile by someone else is refused and
    the page shows who decided it."""
    extension = selectors.extension_get_for(request.user, pk)
    # Bound on any POST: with no radio chosen it may carry nothing else.
    data = request.POST if request.method == "POST" else None
    form = ExtensionDecisionForm(data, extension=extension)
    if request.method == "POST" and form.is_valid():
        try:
            extension = deadline_services.extension_decide(
                extension=extension, agreed=form.agreed, by=request.user, at=timezone.now()
            )
        except ValidationError as error:
            extension = selectors.extension_get_for(request.user, pk)
            if extension.status != ExtensionStatus.REQUESTED:  # decided from another page
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            add_service_errors(form, error)
        else:
            messages.success(request, presentation.extension_message(extension))
            return redirect(extension.deadline)
    return render(
        request,
        "recommendations/extension_decide.html",
        {
            "form": form,
            "extension": extension,
            "deadline": extension.deadline,
            "pending": extension.status == ExtensionStatus.REQUESTED,
        },
    )


# --- Overriding a computed due date ---------------------------------------------------------


@permission_needed(presentation.OVERRIDE_PERMISSION)
def deadline_override(request, pk):
    """Set a recommendation's due date to another date than its rule gives, with the reason;
    the rule's date stays beside it. Refused if the deadline was saved since the page opened."""
    recommendation = selectors.recommendation_get_for(request.user, pk)
    deadline = recommendation.deadline
    form = DeadlineOverrideForm(
        request.POST or None,
        initial={"due_date": deadline.original_due_date, "version": deadline.version},
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            deadline = deadline_services.deadline_override(
                deadline=deadline,
                due_date=form.cleaned_data["due_date"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.ConflictError as error:
            deadline = selectors.recommendation_get_for(request.user, pk).deadline
            form = after_conflict(form, error, version=deadline.version)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, presentation.override_message(deadline))
            return redirect(recommendation)
    return render(
        request,
        "recommendations/deadline_override.html",
        {
            "form": form,
            "recommendation": recommendation,
            "deadline": deadline,
            "conflict": conflict,
            "overridable": presentation.may_override(deadline, user=request.user),
        },
    )


# --- The spreadsheet tracker ----------------------------------------------------------------


@permission_needed("recommendations.import_tracker")
def tracker_import(request):
    """Keep the file and send the user to its progress page: a worker checks and imports it."""
    form = TrackerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = tracker_csv.tracker_upload_create(
                file=form.cleaned_data["file"], by=request.user, at=timezone.now()
            )
        except ValidationError as error:  # not a CSV by its content, or a virus
            form.add_error("file", error)
        else:
            return redirect(upload)
    return render(
        request,
        "recommendations/tracker_import.html",
        {
            "form": form,
            "uploads": tracker_csv.tracker_uploads_visible_to(request.user)[:10],
            "columns": tracker_csv.COLUMNS,
            "max_rows": f"{tracker_csv.MAX_ROWS:,}",
        },
    )


@permission_needed("recommendations.import_tracker")
def tracker_template_csv(request):
    """The empty tracker to fill in: its header row, with a byte-order mark for Excel."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tracker-template.csv"'},
    )
    response.write("\ufeff")
    tracker_csv.tracker_template_csv(response)
    return response


@permission_needed("recommendations.import_tracker")
def tracker_template_xlsx(request):
    """The empty tracker to fill in, as an Excel workbook."""
    return HttpResponse(
        tracker_csv.tracker_template_xlsx(),
        content_type=tracker_csv.template.XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": 'attachment; filename="tracker-template.xlsx"'},
    )


@permission_needed("recommendations.import_tracker")
def tracker_upload(request, pk):
    upload = tracker_csv.tracker_upload_get_for(request.user, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    watch = tracker_csv.uploads.tracker_upload_watch(upload, at=timezone.now())
    return render(
        request,
        "recommendations/trackerupload_detail.html",
        {
            "upload": upload,
            # Refreshing can be stopped (WCAG 2.2.2): the page then offers a link to update it.
            "refreshing": watch.refreshing and request.GET.get("refresh") != "off",
            "import_notice": watch.notice,
            "progress_text": tracker_csv.tracker_upload_progress_text(upload),
            "result_text": tracker_csv.tracker_upload_result_text(upload),
            "row_errors": upload.result.get("errors", []),
        },
    )


@permission_needed("recommendations.export_tracker")
def tracker_export(request):
    """The user's visible recommendations as CSV, in the columns the import reads (so an
    edited export imports back), streamed as it is made: thousands of rows are never held in
    memory; the byte-order mark lets Excel read UTF-8."""
    today = timezone.localdate()
    return csv_streamed_download(
        request,
        record=None,
        kind=ViewKind.TRACKER_EXPORT,
        filename=f"ombudsman-tracker-{today:%Y-%m-%d}.csv",
        text=tracker_csv.tracker_export_chunks(
            recommendations=selectors.recommendations_visible_to(request.user), at=today
        ),
    )
