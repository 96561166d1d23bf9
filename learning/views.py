"""Pages of the learning programme.

Views are adapters: check the permission, fetch through a selector scoped to the user (404
for another organisation's records), validate with a form, call a service, then redirect with
a message or render. The one page open without signing in is the personal link's
(``acknowledge_link``): its signed token is the credential, and it shows the learning point
and nothing else.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import permission_needed
from audits.selectors import programmes_visible_to
from ombudsman_tracker.formats import counted, listed
from ombudsman_tracker.forms import add_service_errors, after_conflict
from recommendations.selectors import recommendation_get_for
from viewlog.downloads import kept_file_download
from viewlog.services import ViewKind

from . import presentation, selectors, services
from .forms import (
    AttachmentForm,
    AttendanceForm,
    AudienceForm,
    AudienceListForm,
    FollowUpForm,
    FollowUpResultForm,
    LearningPointChangeForm,
    LearningPointForm,
    LeaveForm,
    PublishForm,
    SessionForm,
)
from .models import Audience, LinkEmailKind

PAGE_SIZE = 25
SHORT_LIST = 10  # versions, sessions and checks on a point's page: the latest, with a count


def _page(request, queryset, *, name="page"):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(name))


def _audiences_for(organisation):
    return Audience.objects.filter(organisation=organisation).order_by("name", "pk")


# --- Learning points ------------------------------------------------------------------------


@permission_needed("learning.view_learningpoint")
def point_list(request, pk):
    recommendation = recommendation_get_for(request.user, pk)
    points = _page(request, selectors.recommendation_learning_points(request.user, recommendation))
    covered = selectors.coverage_by_learning_point(
        learning_points=points.object_list, at=timezone.now()
    )
    return render(
        request,
        "learning/learningpoint_list.html",
        {
            "recommendation": recommendation,
            "page_obj": points,
            "rows": [(point, covered[point.pk]) for point in points.object_list],
        },
    )


@permission_needed("learning.add_learningpoint")
def point_create(request, pk):
    recommendation = recommendation_get_for(request.user, pk)
    form = LearningPointForm(
        request.POST or None, audiences=_audiences_for(recommendation.organisation)
    )
    if request.method == "POST" and form.is_valid():
        try:
            point = services.learning_point_create(
                recommendation=recommendation,
                by=request.user,
                at=timezone.now(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Learning point recorded: {point.title}")
            return redirect(point)
    return render(
        request,
        "learning/learningpoint_form.html",
        {"form": form, "recommendation": recommendation},
    )


@permission_needed("learning.view_learningpoint")
def point_detail(request, pk):
    point = selectors.learning_point_get_for(request.user, pk)
    now = timezone.now()
    versions = point.versions.select_related("published_by").order_by("-number")
    sessions = point.sessions.select_related("delivered_version").order_by("-held_on", "-pk")
    checks = point.follow_up_checks.select_related(
        "milestone__deadline", "milestone__plan", "audit_programme"
    ).order_by("milestone__deadline__due_date", "pk")
    version_count, session_count, check_count = (
        versions.count(),
        sessions.count(),
        checks.count(),
    )
    refusal = services.app_acknowledgement_refusal(learning_point=point, user=request.user, at=now)
    return render(
        request,
        "learning/learningpoint_detail.html",
        {
            "point": point,
            "recommendation": point.recommendation,
            "coverage": selectors.coverage(learning_point=point, at=now),
            "versions": list(versions[:SHORT_LIST]),
            "versions_hidden": presentation.hidden_text(SHORT_LIST, version_count, "version"),
            "attachments": _page(request, point.attachments.select_related("added_by")),
            "sessions": list(sessions[:SHORT_LIST])
            if request.user.has_perm("learning.view_deliverysession")
            else None,
            "sessions_hidden": presentation.hidden_text(SHORT_LIST, session_count, "session"),
            "checks": list(checks[:SHORT_LIST]),
            "checks_hidden": presentation.hidden_text(SHORT_LIST, check_count, "check"),
            "actions": presentation.point_actions(
                point, user=request.user, can_acknowledge=not refusal
            ),
            "today": timezone.localdate(now),
        },
    )


@permission_needed("learning.change_learningpoint")
def point_update(request, pk):
    point = selectors.learning_point_get_for(request.user, pk)
    form_kwargs = {"audiences": _audiences_for(point.recommendation.organisation)}
    form = LearningPointChangeForm(
        request.POST or None,
        initial={
            "title": point.title,
            "audiences": list(point.audiences.all()),
            "version": point.version,
        },
        **form_kwargs,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_point_update(
                learning_point=point,
                version=form.cleaned_data["version"],
                title=form.cleaned_data["title"],
                audiences=form.cleaned_data["audiences"],
                by=request.user,
            )
        except services.ConflictError as error:
            latest = selectors.learning_point_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version, **form_kwargs)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Learning point saved: {point.title}")
            return redirect(point)
    return render(
        request,
        "learning/learningpoint_form.html",
        {
            "form": form,
            "point": point,
            "recommendation": point.recommendation,
            "conflict": conflict,
        },
    )


@permission_needed("learning.change_learningpoint")
def version_publish(request, pk):
    point = selectors.learning_point_get_for(request.user, pk)
    form = PublishForm(
        request.POST or None,
        initial={"text": point.current_version.text, "version": point.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            published = services.learning_point_publish(
                learning_point=point, by=request.user, at=timezone.now(), **form.cleaned_data
            )
        except services.ConflictError as error:
            latest = selectors.learning_point_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Version {published.number} published: everyone it must reach is asked to "
                "acknowledge it again",
            )
            return redirect(point)
    return render(request, "learning/learningpoint_publish.html", {"form": form, "point": point})


@permission_needed("learning.change_learningpoint")
def attachment_add(request, pk):
    point = selectors.learning_point_get_for(request.user, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                learning_point=point, by=request.user, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Attachment added: {form.cleaned_data['description']}")
            return redirect(point)
    return render(request, "learning/learningattachment_form.html", {"form": form, "point": point})


@permission_needed("learning.view_learningpoint")
def attachment_download(request, pk):
    """The file, as an attachment, to users who may see its learning point; in the view log."""
    attachment = selectors.attachment_get_for(request.user, pk)
    return kept_file_download(
        request, record=attachment, kind=ViewKind.LEARNING_ATTACHMENT, file=attachment.file
    )


# --- Coverage and emails --------------------------------------------------------------------


@permission_needed("learning.see_coverage")
def coverage(request, pk):
    """Who the current version has reached, per team, and who is outstanding (by name:
    managers only)."""
    point = selectors.learning_point_get_for(request.user, pk)
    now = timezone.now()
    audience = None
    if audience_id := request.GET.get("audience", ""):
        known = audience_id.isdigit() and len(audience_id) < 10  # an id, not any number
        audience = point.audiences.filter(pk=audience_id).first() if known else None
        if audience is None:
            raise Http404("That audience is not one of this learning point's.")
    show_all = request.GET.get("show") == "all"
    people = (selectors.people_to_reach if show_all else selectors.people_outstanding)(
        learning_point=point, at=now, audience=audience
    )
    return render(
        request,
        "learning/learningpoint_coverage.html",
        {
            "point": point,
            "coverage": selectors.coverage(learning_point=point, at=now),
            "audience": audience,
            "show_all": show_all,
            "people": _page(request, people),
            "published_on": timezone.localdate(point.current_version.published_at),
        },
    )


def _links_page(request, pk, *, kind):
    point = selectors.learning_point_get_for(request.user, pk)
    if request.method == "POST":
        sent = services.links_send(
            learning_point=point, kind=kind, by=request.user, at=timezone.now()
        )
        what = "reminder" if kind == LinkEmailKind.REMINDER else "personal link"
        text = f"{counted(sent.queued, what)} will be emailed"
        if sent.skipped:
            text += f"; {counted(sent.skipped, 'person', 'people')} not emailed again " + (
                "(already reminded today, or never sent their link)"
                if kind == LinkEmailKind.REMINDER
                else "(already sent their link)"
            )
        messages.success(request, text)
        return redirect(point)
    outstanding = selectors.people_outstanding(learning_point=point, at=timezone.now()).count()
    return render(
        request,
        "learning/learningpoint_send.html",
        {"point": point, "outstanding": outstanding, "reminder": kind == LinkEmailKind.REMINDER},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_needed("learning.send_learning_links")
def links_send(request, pk):
    return _links_page(request, pk, kind=LinkEmailKind.INVITATION)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_needed("learning.send_learning_reminders")
def reminders_send(request, pk):
    return _links_page(request, pk, kind=LinkEmailKind.REMINDER)


# --- Acknowledging --------------------------------------------------------------------------


@permission_needed("learning.view_learningpoint")
def acknowledge(request, pk):
    """A user of the app acknowledges the current version: the personal link's page, signed in."""
    point = selectors.learning_point_get_for(request.user, pk)
    now = timezone.now()
    refusal = services.app_acknowledgement_refusal(learning_point=point, user=request.user, at=now)
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
        elif services.app_acknowledge(learning_point=point, user=request.user, at=now)[1]:
            messages.success(request, f"Thank you: you have acknowledged {point.title}")
        return redirect(point)
    person = selectors.person_for_user(request.user, point.recommendation.organisation_id)
    done = (
        person is not None and point.current_version.acknowledgements.filter(person=person).first()
    )
    return render(
        request,
        "learning/acknowledge_in_app.html",
        {
            "point": point,
            "learning_version": point.current_version,
            "refusal": refusal,
            "acknowledgement": done or None,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def acknowledge_link(request, token):
    """The personal link: open without signing in. It shows the learning point's current text
    and a button to confirm; a used, expired, superseded or tampered link gets a page saying
    so (never a server error)."""
    now = timezone.now()
    if request.method == "POST":
        state = services.personal_link_acknowledge(token=token, at=now)
    else:
        state = services.personal_link_open(token=token, at=now)
    status = {
        services.LinkStatus.INVALID: 404,
        services.LinkStatus.EXPIRED: 410,
        services.LinkStatus.SUPERSEDED: 410,
    }.get(state.status, 200)
    version = state.learning_version
    return render(
        request,
        "learning/acknowledge_link.html",
        {
            "state": state,
            "status": state.status.value,
            "learning_version": version,
            "learning_title": version.learning_point.title if version else "",
        },
        status=status,
    )


# --- Audiences and people -------------------------------------------------------------------


def _organisation_of(request):
    """The organisation whose audiences a user manages: their own."""
    organisation = request.user.organisation
    if organisation is None:
        raise Http404("You do not belong to an organisation.")
    return organisation


@permission_needed("learning.view_audience")
def audience_list(request):
    audiences = (
        selectors.audiences_visible_to(request.user)
        .annotate(in_post=Count("people", filter=Q(people__left_on__isnull=True)))
        .order_by("name", "pk")
    )
    return render(request, "learning/audience_list.html", {"page_obj": _page(request, audiences)})


@permission_needed("learning.add_audience")
def audience_create(request):
    organisation = _organisation_of(request)
    form = AudienceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audience = services.audience_create(
                organisation=organisation, by=request.user, at=timezone.now(), **form.cleaned_data
            )
        except (ValidationError, services.ConflictError) as error:
            if isinstance(error, ValidationError):
                add_service_errors(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, f"Audience recorded: {audience}")
            return redirect("learning:audience_list")
    return render(
        request, "learning/audience_form.html", {"form": form, "organisation": organisation}
    )


@permission_needed("learning.view_person")
def audience_detail(request, pk):
    audience = selectors.audience_get_for(request.user, pk)
    return render(
        request,
        "learning/audience_detail.html",
        {"audience": audience, "page_obj": _page(request, selectors.audience_people(audience))},
    )


@permission_needed("learning.add_person")
def people_import(request):
    organisation = _organisation_of(request)
    form = AudienceListForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.audience_list_import(
                organisation=organisation,
                file=form.cleaned_data["file"],
                by=request.user,
                at=timezone.now(),
            )
        except services.ListImportError as error:
            row_errors = error.errors
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = (
                f"{counted(result.rows, 'person', 'people')} imported: "
                f"{result.people_added} added, {result.people_updated} updated"
            )
            if result.audiences_created:
                text += f"; new audiences: {listed(result.audiences_created)}"
            messages.success(request, text)
            return redirect("learning:audience_list")
    return render(
        request,
        "learning/people_import.html",
        {"form": form, "organisation": organisation, "row_errors": row_errors},
    )


@permission_needed("learning.change_person")
def person_leave(request, pk):
    person = selectors.person_get_for(request.user, pk)
    form = LeaveForm(
        request.POST or None,
        initial={"left_on": person.left_on or timezone.localdate(), "version": person.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_leave(person=person, by=request.user, **form.cleaned_data)
        except services.ConflictError as error:
            latest = selectors.person_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{person.name} recorded as having left")
            return redirect("learning:audience_list")
    return render(request, "learning/person_leave.html", {"form": form, "person": person})


# --- Sessions -------------------------------------------------------------------------------


@permission_needed("learning.add_deliverysession")
def session_create(request, pk):
    point = selectors.learning_point_get_for(request.user, pk)
    form = SessionForm(request.POST or None, audiences=point.audiences.order_by("name", "pk"))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_record(
                learning_point=point, by=request.user, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Session recorded: {session}")
            return redirect(session)
    return render(request, "learning/deliverysession_form.html", {"form": form, "point": point})


@permission_needed("learning.view_person")
def session_detail(request, pk):
    session = selectors.session_get_for(request.user, pk)
    return render(
        request,
        "learning/deliverysession_detail.html",
        {
            "session": session,
            "point": session.learning_point,
            "audiences": list(session.audiences.all()),
            "page_obj": _page(request, session.attendees.order_by("name", "pk")),
        },
    )


@permission_needed("learning.change_deliverysession")
def attendance_import(request, pk):
    session = selectors.session_get_for(request.user, pk)
    form = AttendanceForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.attendance_import(
                session=session, file=form.cleaned_data["file"], by=request.user, at=timezone.now()
            )
        except services.ListImportError as error:
            row_errors = error.errors
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Attendance imported: {counted(result.attendees_added, 'attendee')} added, "
                f"{result.already_attending} already recorded; "
                f"{counted(result.acknowledged, 'person', 'people')} acknowledged by attending",
            )
            return redirect(session)
    return render(
        request,
        "learning/attendance_import.html",
        {"form": form, "session": session, "row_errors": row_errors},
    )


# --- Follow-up checks -----------------------------------------------------------------------


@permission_needed("learning.add_followupcheck")
def follow_up_create(request, pk):
    point = selectors.learning_point_get_for(request.user, pk)
    programmes = programmes_visible_to(request.user).filter(
        recommendation__organisation=point.recommendation.organisation_id
    )
    last_session = point.sessions.order_by("-held_on").values_list("held_on", flat=True).first()
    form = FollowUpForm(
        request.POST or None,
        programmes=programmes,
        initial={
            "delivered_on": last_session or timezone.localdate(point.current_version.published_at)
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = services.follow_up_schedule(
                learning_point=point, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{check.get_kind_display()} scheduled for {check.deadline.due_date:%d %B %Y}",
            )
            return redirect(point)
    return render(request, "learning/followupcheck_form.html", {"form": form, "point": point})


@permission_needed("learning.change_followupcheck")
def follow_up_result(request, pk):
    check = selectors.follow_up_get_for(request.user, pk)
    today = timezone.localdate()
    form = FollowUpResultForm(
        request.POST or None, today=today, initial={"on": today, "version": check.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_result_record(check=check, by=request.user, **form.cleaned_data)
        except services.ConflictError as error:
            latest = selectors.follow_up_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version, today=today)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Result recorded: {check.get_result_display()}")
            return redirect(check)
    return render(
        request,
        "learning/followupcheck_result.html",
        {"form": form, "check": check, "point": check.learning_point},
    )
