"""Pages of a recommendation's action plan and of a complaint's plan timeline.

Views are adapters: check the permission, fetch through a selector scoped to the user (404
for another organisation's records), validate with a form, call a service, then redirect
with a message or render. Today's date is read here once and passed down.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import permission_needed
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.forms import add_service_errors, after_conflict
from recommendations.selectors import complaint_get_for, recommendation_get_for

from . import presentation, selectors, services
from .forms import BaselineForm, MilestoneCompleteForm, MilestoneForm, MilestoneReasonForm
from .timeline import complaint_timeline as timeline_of
from .timeline import timeline_svg


@permission_needed("plans.view_actionplan")
def plan_detail(request, pk):
    today = timezone.localdate()
    recommendation = recommendation_get_for(request.user, pk)
    plan = selectors.plan_of(recommendation)
    rows = presentation.milestone_rows(selectors.plan_milestones(plan), user=request.user, at=today)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "recommendation": recommendation,
            "plan": plan,
            "rows": rows,
            "actions": presentation.plan_actions(
                recommendation, plan, user=request.user, has_milestones=bool(rows)
            ),
            "today": today,
        },
    )


@permission_needed("plans.add_milestone")
def milestone_add(request, pk):
    recommendation = recommendation_get_for(request.user, pk)
    form = MilestoneForm(request.POST or None, organisation=recommendation.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.milestone_add(
                recommendation=recommendation,
                title=form.cleaned_data["title"],
                planned_date=form.cleaned_data["planned_date"],
                owner=form.cleaned_data["owner"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Milestone added: {milestone.title}, planned for "
                f"{date_text(milestone.deadline.due_date)}",
            )
            return redirect(milestone)
    return render(
        request,
        "plans/milestone_form.html",
        {"form": form, "recommendation": recommendation},
    )


@permission_needed("plans.change_milestone")
def milestone_update(request, pk):
    milestone = selectors.milestone_get_for(request.user, pk)
    recommendation = milestone.plan.recommendation
    form_kwargs = {"organisation": recommendation.organisation, "milestone": milestone}
    form = MilestoneForm(
        request.POST or None, initial=MilestoneForm.initial_for(milestone), **form_kwargs
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_update(
                milestone=milestone,
                version=data["version"],
                title=data["title"],
                planned_date=data["planned_date"],
                owner=data["owner"],
                status=data["status"],
                reason=data["reason"],
                by=request.user,
            )
        except services.ConflictError as error:
            latest = selectors.milestone_get_for(request.user, pk)
            form = after_conflict(
                form,
                error,
                version=latest.version,
                initial=MilestoneForm.initial_for(latest),
                organisation=recommendation.organisation,
                milestone=latest,
            )
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Milestone saved: {milestone.title}")
            return redirect(milestone)
    return render(
        request,
        "plans/milestone_form.html",
        {
            "form": form,
            "recommendation": recommendation,
            "milestone": milestone,
            "conflict": conflict,
        },
    )


@permission_needed("plans.change_milestone")
def milestone_complete(request, pk):
    today = timezone.localdate()
    milestone = selectors.milestone_get_for(request.user, pk)
    form_kwargs = {"milestone": milestone, "today": today}
    form = MilestoneCompleteForm(
        request.POST or None,
        initial={"actual_date": today, "version": milestone.version},
        **form_kwargs,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_complete(
                milestone=milestone,
                on=form.cleaned_data["actual_date"],
                evidence=form.cleaned_data["evidence"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.ConflictError as error:
            latest = selectors.milestone_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version, **form_kwargs)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Milestone done: {milestone.title}")
            return redirect(milestone)
    return render(
        request,
        "plans/milestone_complete.html",
        {
            "form": form,
            "milestone": milestone,
            "recommendation": milestone.plan.recommendation,
            "conflict": conflict,
        },
    )


# What the drop and reopen pages say, and the service each calls.
REASON_PAGES = {
    "drop": {
        "service": services.milestone_drop,
        "heading": "Drop a milestone",
        "explain": "A dropped milestone stays on the plan, shown as dropped, and its owner is "
        "no longer reminded. It can be reopened.",
        "button": "Drop the milestone",
        "done": "Milestone dropped",
    },
    "reopen": {
        "service": services.milestone_reopen,
        "heading": "Reopen a milestone",
        "explain": "A done milestone reopens as in progress, a dropped one as planned; its "
        "deadline reopens with its planned date, and its owner is reminded again.",
        "button": "Reopen the milestone",
        "done": "Milestone reopened",
    },
}


def _milestone_reason_page(request, pk, *, action: str):
    page = REASON_PAGES[action]
    milestone = selectors.milestone_get_for(request.user, pk)
    # A page opened on a milestone since done, dropped or reopened says so, with no form.
    applicable = (action == "drop") == milestone.is_open
    form = MilestoneReasonForm(request.POST or None, initial={"version": milestone.version})
    conflict = False
    if applicable and request.method == "POST" and form.is_valid():
        try:
            page["service"](
                milestone=milestone,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.ConflictError as error:
            latest = selectors.milestone_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{page['done']}: {milestone.title}")
            return redirect(milestone)
    return render(
        request,
        "plans/milestone_reason.html",
        {
            "form": form,
            "milestone": milestone,
            "recommendation": milestone.plan.recommendation,
            "page": page,
            "applicable": applicable,
            "conflict": conflict,
        },
    )


@permission_needed("plans.change_milestone")
def milestone_drop(request, pk):
    return _milestone_reason_page(request, pk, action="drop")


@permission_needed("plans.change_milestone")
def milestone_reopen(request, pk):
    return _milestone_reason_page(request, pk, action="reopen")


@permission_needed("plans.baseline_actionplan")
def plan_baseline(request, pk):
    """The confirmation page: what will be frozen, then who agreed it and when."""
    today = timezone.localdate()
    recommendation = recommendation_get_for(request.user, pk)
    plan = selectors.plan_of(recommendation)
    rows = presentation.milestone_rows(selectors.plan_milestones(plan), user=request.user, at=today)
    if plan is None or not rows:  # the page says to add milestones first
        return render(
            request,
            "plans/plan_baseline.html",
            {"recommendation": recommendation, "plan": plan, "rows": rows, "form": None},
        )
    form_kwargs = {"again": plan.is_baselined, "today": today}
    form = BaselineForm(request.POST or None, initial={"version": plan.version}, **form_kwargs)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_baseline(
                plan=plan,
                agreed_on=form.cleaned_data["agreed_on"],
                note=form.cleaned_data["note"],
                reason=form.cleaned_data.get("reason", ""),
                version=form.cleaned_data["version"],
                by=request.user,
                at=timezone.now(),
            )
        except services.ConflictError as error:
            latest = selectors.plan_of(recommendation)
            form = after_conflict(form, error, version=latest.version, **form_kwargs)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Plan baselined: later changes show against it")
            return redirect(plan)
    return render(
        request,
        "plans/plan_baseline.html",
        {
            "form": form,
            "recommendation": recommendation,
            "plan": plan,
            "rows": rows,
            "conflict": conflict,
        },
    )


@permission_needed("plans.view_actionplan")
def complaint_timeline(request, pk):
    today = timezone.localdate()
    complaint = complaint_get_for(request.user, pk)
    timeline = timeline_of(complaint=complaint, user=request.user, at=today)
    return render(
        request,
        "plans/complaint_timeline.html",
        {
            "complaint": complaint,
            "timeline": timeline,
            "svg": timeline_svg(timeline) if timeline.rows else "",
            "today": today,
        },
    )
