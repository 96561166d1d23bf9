"""Pages for the case audit: programmes, the sample, outcomes, live concerns, the population.

Views are adapters, as in ``recommendations.views``: check the permission, fetch through a
lookup scoped to the user (404 for another organisation's audits, or for a case that is not
assigned to the user), validate with a form, call a service, then redirect with a message or
render. The time is read here once and passed down as ``at``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import permission_needed
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.forms import add_service_errors, after_conflict
from ombudsman_tracker.history import ConflictError
from viewlog.services import ViewKind, view_record

from . import emails, presentation, selectors, services, uploads
from .forms import (
    AuditorAddForm,
    AuditorRemoveForm,
    ConcernForm,
    ConcernResponseForm,
    ExtendForm,
    FullAuditForm,
    OutcomeForm,
    OutcomeSubmitForm,
    PopulationImportForm,
    ProgrammeForm,
    ReassignForm,
    ReopenForm,
    SettleForm,
    SubstituteForm,
)
from .models import OutcomeRole, UploadStatus

MANAGE = "audits.manage_audit"
RECORD = "audits.record_audit_outcome"


def _page(request, queryset):
    return Paginator(queryset, selectors.PAGE_SIZE).get_page(request.GET.get("page"))


def _manager_only_post(request):
    """Pages that anyone who may view can read, but only a manager may change: other roles
    are refused before any lookup."""
    if request.method == "POST" and not request.user.has_perm(MANAGE):
        raise PermissionDenied


# --- Programmes -----------------------------------------------------------------------------


@permission_needed("audits.view_auditprogramme")
def programme_list(request):
    page_obj = _page(request, selectors.programme_pks_listed(request.user))
    return render(
        request,
        "audits/auditprogramme_list.html",
        {
            "page_obj": page_obj,
            "rows": [
                (row, presentation.programme_decision_tag(row.programme, row.threshold))
                for row in selectors.programme_rows(page_obj.object_list)
            ],
            "shown": presentation.page_shown_text(page_obj, "audit"),
        },
    )


@permission_needed(MANAGE)
def programme_create(request):
    form = ProgrammeForm(
        request.POST or None,
        user=request.user,
        initial={"recommendation": request.GET.get("recommendation"), "owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Audit programme set up: {programme.title}")
            return redirect(programme)
    return render(request, "audits/auditprogramme_form.html", {"form": form})


@permission_needed("audits.view_auditprogramme")
def programme_detail(request, pk):
    programme = selectors.programme_get_for(request.user, pk)
    view_record(
        user=request.user, record=programme, kind=ViewKind.AUDIT_PROGRAMME, at=timezone.now()
    )
    page = selectors.programme_page(
        programme, user=request.user, page_number=request.GET.get("page")
    )
    threshold = page.threshold
    return render(
        request,
        "audits/auditprogramme_detail.html",
        {
            "programme": programme,
            "page": page,
            "threshold": threshold,
            "decision_tag": presentation.programme_decision_tag(programme, threshold),
            "decision_explanation": presentation.decision_explanation(threshold),
            "rate": presentation.rate_text(threshold),
            "interval": presentation.interval_words(page.interval),
            "threshold_words": presentation.threshold_words(programme.threshold_percent),
            "method_description": presentation.SAMPLING_METHODS.get(programme.sampling_method),
            "sample_page": page.sample_page,
            "sample_shown": presentation.page_shown_text(page.sample_page, "case"),
            "findings": presentation.findings_tables(page.findings),
            "actions": presentation.programme_actions(page),
            "deadline_rule": presentation.deadline_set_by_text(page.deadline_set_by),
            "other_audits": [
                (row.programme, presentation.programme_progress_text(row.programme, row.threshold))
                for row in page.other_audits
            ],
            "written_shown": presentation.written_shown_text(page),
        },
    )


@permission_needed("audits.view_auditprogramme")
def programme_findings(request, pk):
    """Every written finding and learning point of an audit, 25 cases a page: the programme
    page quotes the first few. Shown to those who see them there, and to nobody else."""
    programme = selectors.programme_get_for(request.user, pk)
    hidden_because = selectors.written_findings_hidden_because(request.user, programme)
    page_obj = None
    if not hidden_because:
        view_record(
            user=request.user, record=programme, kind=ViewKind.AUDIT_PROGRAMME, at=timezone.now()
        )
        page_obj = _page(request, selectors.written_findings(programme))
    return render(
        request,
        "audits/auditprogramme_findings.html",
        {
            "programme": programme,
            "hidden_because": hidden_because,
            "page_obj": page_obj,
            "shown": presentation.page_shown_text(page_obj, "case") if page_obj else "",
        },
    )


@permission_needed(MANAGE)
def sample_draw(request, pk):
    """GET explains what drawing does; POST draws."""
    programme = selectors.programme_managed_get_for(request.user, pk)
    matching = 0 if programme.is_drawn else sum(1 for _ in services.population_matching(programme))
    draw_size = presentation.draw_size(programme, matching)
    if request.method == "POST":
        try:
            services.sample_draw(programme=programme, by=request.user, at=timezone.now())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            programme.refresh_from_db()
            messages.success(
                request,
                f"Sample drawn: {programme.sample_cases.count()} cases from a population of "
                f"{programme.population_size}",
            )
        return redirect(programme)
    return render(
        request,
        "audits/auditprogramme_draw.html",
        {
            "programme": programme,
            "matching": matching,
            "draw_size": draw_size,
            "shortfall": max(0, programme.target_sample_size - draw_size),
        },
    )


@permission_needed(MANAGE)
def sample_extend(request, pk):
    programme = selectors.programme_managed_get_for(request.user, pk)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.sample_extend(
                programme=programme, by=request.user, count=form.cleaned_data["count"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Sample extended by {len(added)} cases")
            return redirect(programme)
    return render(
        request, "audits/auditprogramme_extend.html", {"form": form, "programme": programme}
    )


@permission_needed(MANAGE)
def substitute_add(request, pk):
    programme = selectors.programme_managed_get_for(request.user, pk)
    form = SubstituteForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            sample_case = services.substitute_add(
                programme=programme,
                case=form.case,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Similar case {sample_case.case} added at position {sample_case.position}",
            )
            return redirect(programme)
    return render(
        request, "audits/samplecase_substitute.html", {"form": form, "programme": programme}
    )


@permission_needed(MANAGE)
def programme_auditors(request, pk):
    """The programme's auditors: add one (the form) or remove one (a button on each row)."""
    programme = selectors.programme_managed_get_for(request.user, pk)
    candidates = selectors.auditor_candidates(programme)
    form = AuditorAddForm(
        request.POST if "auditor" in request.POST else None, candidates=candidates
    )
    if request.method == "POST":
        if "remove" in request.POST:
            _auditor_remove(request, programme)
            return redirect("audits:programme_auditors", pk=programme.pk)
        if form.is_valid():
            auditor = form.cleaned_data["auditor"]
            try:
                services.auditor_add(programme=programme, auditor=auditor, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{auditor} added as an auditor")
                return redirect("audits:programme_auditors", pk=programme.pk)
    return render(
        request,
        "audits/auditprogramme_auditors.html",
        {
            "form": form,
            "programme": programme,
            "auditors": selectors.programme_auditors(programme),
        },
    )


def _auditor_remove(request, programme):
    remove = AuditorRemoveForm(request.POST, programme=programme)
    if not remove.is_valid():
        messages.error(request, "That person is not an auditor on this programme")
        return
    auditor = remove.cleaned_data["remove"]
    try:
        services.auditor_remove(programme=programme, auditor=auditor, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{auditor} removed from the auditors")


@permission_needed(MANAGE)
def auditors_assign(request, pk):
    """GET explains how cases are shared out; POST assigns the unassigned cases."""
    programme = selectors.programme_managed_get_for(request.user, pk)
    if request.method == "POST":
        try:
            services.auditors_assign(programme=programme, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Cases assigned to the auditors")
        return redirect(programme)
    page = selectors.programme_page(programme, user=request.user)
    return render(
        request,
        "audits/auditprogramme_assign.html",
        {"programme": programme, "page": page},
    )


@permission_needed(MANAGE)
def full_audit_create(request, pk):
    programme = selectors.programme_managed_get_for(request.user, pk)
    threshold = selectors.programme_threshold(programme)
    form = FullAuditForm(
        request.POST or None, programme=programme, initial={"owner": programme.owner_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            full = services.full_audit_create(
                programme=programme,
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                by=request.user,
                at=timezone.now(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Full audit created: due on {date_text(full.deadline.due_date)}",
            )
            return redirect(full)
    return render(
        request,
        "audits/auditprogramme_full_audit.html",
        {
            "form": form,
            "programme": programme,
            "threshold": threshold,
            "decision_tag": presentation.decision_tag(threshold),
            "decision_explanation": presentation.decision_explanation(threshold),
            "full_audit": selectors.full_audit_of(programme),
        },
    )


# --- Cases of the sample (managers) ---------------------------------------------------------


@permission_needed(MANAGE)
def case_reassign(request, pk):
    sample_case = selectors.managed_case_get_for(request.user, pk)
    form = ReassignForm(request.POST or None, sample_case=sample_case)
    if request.method == "POST" and form.is_valid():
        auditor = form.cleaned_data["auditor"]
        try:
            services.sample_case_reassign(sample_case=sample_case, auditor=auditor, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Case {sample_case.case} reassigned to {auditor}")
            return redirect(sample_case.programme)
    return render(
        request, "audits/samplecase_reassign.html", {"form": form, "sample_case": sample_case}
    )


@permission_needed(MANAGE)
def moderation_settle(request, pk):
    """Both auditors' answers and the settled answer; or, until both have submitted, why the
    case cannot be settled yet (and no answers: neither auditor has seen the other's)."""
    sample_case = selectors.managed_case_get_for(request.user, pk)
    view_record(user=request.user, record=sample_case, kind=ViewKind.AUDIT_CASE, at=timezone.now())
    pair = selectors.moderation_pair(sample_case)
    form = SettleForm(request.POST or None, initial={"seen": pair.seen})
    if request.method == "POST" and form.is_valid():
        try:
            services.moderation_settle(
                sample_case=sample_case,
                similar_issues=form.cleaned_data["similar_issues"],
                grade=form.cleaned_data["grade"],
                seen=form.cleaned_data["seen"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("audits:moderation_settle", pk=sample_case.pk)
        except ConflictError:
            sample_case.refresh_from_db()
            pair = selectors.moderation_pair(sample_case)
            form = SettleForm.after_conflict(form, seen=pair.seen)
        else:
            messages.success(request, f"Moderation of case {sample_case.case} settled")
            return redirect(sample_case.programme)
    settleable = not pair.not_settleable_because
    return render(
        request,
        "audits/samplecase_settle.html",
        {
            "form": form if settleable else None,
            "sample_case": sample_case,
            "pair": pair,
            "not_settleable_because": pair.not_settleable_because,
            "audit_tag": presentation.outcome_tag(pair.audit),
            "moderation_tag": presentation.outcome_tag(pair.moderation),
            "audit_answers": _answers(pair.audit) if settleable else [],
            "moderation_answers": _answers(pair.moderation) if settleable else [],
        },
    )


def _answers(outcome):
    return presentation.outcome_answers(outcome) if outcome else []


@permission_needed(MANAGE)
def outcome_reopen(request, pk):
    outcome = selectors.managed_outcome_get_for(request.user, pk)
    view_record(user=request.user, record=outcome, kind=ViewKind.AUDIT_OUTCOME, at=timezone.now())
    # Blind moderation: the other auditor of the case, manager or not, may reopen the outcome
    # but not read it until both have submitted.
    hidden = selectors.moderation_pair(outcome.sample_case).hidden_from(request.user)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_reopen(
                outcome=outcome, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{outcome.get_role_display()} of case {outcome.sample_case.case} reopened: "
                f"{outcome.auditor} can change it and submit it again",
            )
            return redirect(outcome.sample_case.programme)
    answers_hidden = hidden == outcome.role
    return render(
        request,
        "audits/auditoutcome_reopen.html",
        {
            "form": form,
            "outcome": outcome,
            "answers_hidden": answers_hidden,
            "answers": [] if answers_hidden else presentation.outcome_answers(outcome),
        },
    )


# --- Auditors -------------------------------------------------------------------------------


@permission_needed(RECORD)
def my_cases(request):
    page_obj = _page(request, selectors.audit_cases_for(request.user))
    return render(
        request,
        "audits/samplecase_my_cases.html",
        {
            "page_obj": page_obj,
            "rows": presentation.my_cases(page_obj, user=request.user),
            "shown": presentation.page_shown_text(page_obj, "case"),
        },
    )


@permission_needed(RECORD)
def outcome_form(request, pk):
    """The assigned auditor's (or moderator's) own outcome: save a draft, or continue to check
    the answers before submitting them (``outcome_check``). Continuing saves them as a draft,
    so the check page, and its "Change" links back here, show them as entered."""
    sample_case = selectors.assigned_case_get_for(request.user, pk)
    view_record(user=request.user, record=sample_case, kind=ViewKind.AUDIT_CASE, at=timezone.now())
    outcome = selectors.own_outcome(sample_case, request.user)
    role = selectors.role_of(sample_case, request.user)
    # Only the check page submits: "submit" from an older copy of this page goes there too.
    checking = request.method == "POST" and request.POST.get("action") in ("check", "submit")
    form = OutcomeForm(
        request.POST or None, initial=OutcomeForm.initial_for(outcome), submitting=checking
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            if outcome is not None and form.cleaned_data["version"] is None:
                # Opened before the first save (in another tab): the service would take
                # "no version" for a new outcome and overwrite it.
                raise ConflictError(outcome)
            outcome = services.outcome_save(
                sample_case=sample_case,
                auditor=request.user,
                answers=form.answers(),
                version=form.cleaned_data["version"],
                submit=False,
                at=timezone.now(),
            )
        except ConflictError as error:
            outcome = selectors.own_outcome(sample_case, request.user)
            form = after_conflict(
                form, error, version=outcome.version if outcome else 1, submitting=checking
            )
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if checking:
                return redirect("audits:outcome_check", pk=sample_case.pk)
            messages.success(request, f"Draft saved for case {sample_case.case}")
            return redirect("audits:outcome_form", pk=sample_case.pk)
    return render(
        request,
        "audits/auditoutcome_form.html",
        {
            "form": form,
            "sample_case": sample_case,
            "outcome": outcome,
            "role": role.label,
            "is_moderation": role == OutcomeRole.MODERATION,
            "locked": bool(outcome and outcome.is_locked) and not conflict,
            "answers": presentation.outcome_answers(outcome) if outcome else [],
            "status_tag": presentation.outcome_tag(outcome),
            "conflict": conflict,
        },
    )


@permission_needed(RECORD)
def outcome_check(request, pk):
    """Check your answers, then submit them: the one way an outcome is submitted, since a
    submitted outcome is locked until a manager reopens it.

    Only the case's own auditor or moderator reaches it (404 for anyone else), and it shows
    only their own answers. The submit carries the version of the answers shown: answers
    changed since (in another tab) are refused and shown again to check.
    """
    sample_case = selectors.assigned_case_get_for(request.user, pk)
    view_record(user=request.user, record=sample_case, kind=ViewKind.AUDIT_CASE, at=timezone.now())
    outcome = selectors.own_outcome(sample_case, request.user)
    if outcome is None or outcome.is_locked:
        return redirect("audits:outcome_form", pk=sample_case.pk)
    form = OutcomeSubmitForm(request.POST or None, initial={"version": outcome.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_save(
                sample_case=sample_case,
                auditor=request.user,
                answers={},
                version=form.cleaned_data["version"],
                submit=True,
                at=timezone.now(),
            )
        except (ConflictError, ValidationError) as error:
            outcome = selectors.own_outcome(sample_case, request.user)
            if outcome.is_locked:  # submitted from another tab meanwhile: the form says so
                return redirect("audits:outcome_form", pk=sample_case.pk)
            # The answers as they are now, with their version, to check again.
            form = OutcomeSubmitForm({"version": outcome.version})
            form.is_valid()
            if isinstance(error, ConflictError):
                form.add_error(None, OUTCOME_CHANGED)
            else:
                add_service_errors(form, error)
        else:
            messages.success(request, f"Outcome submitted for case {sample_case.case}")
            return redirect("audits:my_cases")
    role = selectors.role_of(sample_case, request.user)
    return render(
        request,
        "audits/auditoutcome_check.html",
        {
            "form": form,
            "sample_case": sample_case,
            "role": role.label,
            "is_moderation": role == OutcomeRole.MODERATION,
            "rows": presentation.check_answer_rows(outcome, anchors=OutcomeForm.anchors()),
        },
    )


OUTCOME_CHANGED = (
    "These answers were changed (in another tab or window) after you opened this page. They "
    "have not been submitted: check them again below, then submit."
)


# --- Live concerns --------------------------------------------------------------------------


@permission_needed(RECORD)
def concern_raise(request, pk):
    sample_case = selectors.assigned_case_get_for(request.user, pk)
    known_email = services.team_manager_email_for(sample_case)
    form = ConcernForm(
        request.POST or None,
        known_email=known_email,
        initial={"team_manager_email": known_email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(
                sample_case=sample_case,
                concern=form.cleaned_data["concern"],
                raised_by=request.user,
                at=timezone.now(),
                team_manager_email=form.cleaned_data["team_manager_email"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The team manager will be emailed within a minute")
            return redirect("audits:concern_detail", pk=concern.pk)
    return render(
        request,
        "audits/liveconcern_form.html",
        {"form": form, "sample_case": sample_case, "known_email": known_email},
    )


@permission_needed("audits.view_liveconcern")
def concern_detail(request, pk):
    """The concern, and its response: recorded here by a manager of the case's organisation.

    Everyone who may see the programme may open it; only ``concern_readable_by`` read what it
    says, and only those who may see its case learn which case it is on.
    """
    _manager_only_post(request)
    concern = selectors.concern_get_for(request.user, pk)
    view_record(user=request.user, record=concern, kind=ViewKind.LIVE_CONCERN, at=timezone.now())
    answerable = selectors.concern_answerable_by(concern, request.user)
    if request.method == "POST" and not answerable:
        raise PermissionDenied  # an administrator, say: not a manager of the case's council
    form = None
    if answerable and not concern.responded_at:
        form = ConcernResponseForm(request.POST or None)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.concern_respond(
                concern=concern,
                response=form.cleaned_data["response"],
                by=request.user,
                at=timezone.now(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Response recorded")
            return redirect("audits:concern_detail", pk=concern.pk)
    readable = answerable or selectors.concern_readable_by(concern, request.user)
    return render(
        request,
        "audits/liveconcern_detail.html",
        {
            "concern": concern,
            "form": form,
            "today": timezone.localdate(),
            "readable": readable,
            "case_visible": readable
            or selectors.sample_case_visible_to(request.user, concern.sample_case),
            "email": emails.live_concern_delivery(concern, at=timezone.now()) if readable else None,
            "assigned": request.user.pk
            in (concern.sample_case.auditor_id, concern.sample_case.moderator_id),
        },
    )


# --- Population -----------------------------------------------------------------------------


@permission_needed("audits.import_population")
def population_import(request):
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("Only staff of an organisation import its population.")
    form = PopulationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = uploads.population_upload_create(
            file=form.cleaned_data["file"],
            organisation=organisation,
            by=request.user,
            at=timezone.now(),
        )
        return redirect(upload)
    return render(
        request,
        "audits/populationimport_form.html",
        {
            "form": form,
            "organisation": organisation,
            "imports": selectors.population_imports_for(organisation)[:10],
        },
    )


@permission_needed("audits.import_population")
def population_upload(request, pk):
    upload = selectors.population_upload_get_for(request.user, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    view_record(
        user=request.user, record=upload, kind=ViewKind.POPULATION_UPLOAD, at=timezone.now()
    )
    watch = uploads.population_upload_watch(upload, at=timezone.now())
    return render(
        request,
        "audits/populationupload_detail.html",
        {
            "upload": upload,
            # Refreshing can be stopped (WCAG 2.2.2): the page then offers a link to update it.
            "refreshing": watch.refreshing and request.GET.get("refresh") != "off",
            "import_notice": watch.notice,
            "progress_text": presentation.upload_progress_text(upload),
            "result_text": (
                presentation.upload_result_text(upload)
                if upload.status == UploadStatus.DONE
                else ""
            ),
            "row_errors": upload.result.get("errors", []),
        },
    )
