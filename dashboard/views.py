"""The managers' deadline dashboard, read only, and the statutory clocks it leaves out.

Adapters like the other views: check who may see it, read the filters, ask the selectors
(scoped to the user) for the figures, and render. Today's date is read here once.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from deadlines.compliance import ALL_DUE_DEFINITION

from . import charts, presentation, selectors
from .forms import DashboardFilterForm

PAGE_SIZE = 25


def _filters(request) -> tuple[DashboardFilterForm, selectors.Filters]:
    """The filter form as the request fills it, and the filters it chooses; 403 for anyone
    the dashboard is not for."""
    if not selectors.dashboard_allowed(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(
        request.GET,
        organisations=selectors.organisations_for_filters(request.user),
        owners=selectors.owners_for_filters(request.user),
        service_areas=selectors.service_areas_for_filters(request.user),
    )
    form.is_valid()  # a filter in error is left out of cleaned_data, and so not applied
    return form, selectors.Filters(**form.cleaned_data)


@login_required
def dashboard(request):
    form, filters = _filters(request)
    today = timezone.localdate()
    dashboard = selectors.dashboard_for(request.user, today=today, filters=filters)
    compliance = dashboard.compliance
    breakdown, lead = compliance.breakdown, compliance.lead
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "form": form,
            "today": today,
            "dashboard": dashboard,
            "figures": presentation.headline(breakdown.total, lead=lead),
            "rates": breakdown.total.rates(lead=lead),
            "all_due_definition": ALL_DUE_DEFINITION,
            "breakdown_tables": presentation.breakdown_tables(
                breakdown, dashboard.owners, lead=lead
            ),
            "owners_not_shown": presentation.owners_not_shown(dashboard.owners),
            "quarters_table": presentation.quarters_table(compliance.quarters, lead=lead),
            "timeline_chart": charts.timeline_chart(dashboard.timeline, today=today),
            "compliance_chart": charts.compliance_chart(compliance.quarters, lead=lead),
            "page_obj": selectors.page_by_urgency(
                dashboard.deadlines,
                number=request.GET.get("page"),
                per_page=PAGE_SIZE,
                holders=True,
            ),
            "clocks_not_shown": presentation.clocks_not_shown(dashboard.clocks),
            "programmes": presentation.programme_rows(dashboard.programmes.most_urgent),
            "programmes_not_shown": presentation.programmes_not_shown(dashboard.programmes),
        },
    )


@login_required
def clock_list(request):
    """Every statutory clock the filters choose, open or closed, a page at a time."""
    form, filters = _filters(request)
    clocks = selectors.clocks_by_urgency(selectors.deadlines_filtered(request.user, filters))
    return render(
        request,
        "dashboard/clock_list.html",
        {
            "form": form,
            "today": timezone.localdate(),
            "page_obj": selectors.page_by_urgency(
                clocks, number=request.GET.get("page"), per_page=PAGE_SIZE
            ),
        },
    )
