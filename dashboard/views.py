"""The managers' deadline dashboard: one page, read only.

An adapter like the other views: check who may see it, read the filters, ask the selectors
(scoped to the user) for the figures, and render. Today's date is read here once.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from deadlines.compliance import ALL_DUE_DEFINITION

from . import charts, presentation, selectors
from .forms import DashboardFilterForm

PAGE_SIZE = 25


@login_required
def dashboard(request):
    if not selectors.dashboard_allowed(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = DashboardFilterForm(
        request.GET,
        organisations=selectors.organisations_for_filters(request.user),
        owners=selectors.owners_for_filters(request.user),
        service_areas=selectors.service_areas_for_filters(request.user),
    )
    form.is_valid()  # a filter in error is left out of cleaned_data, and so not applied
    filters = selectors.Filters(**form.cleaned_data)
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
            "breakdown_tables": presentation.breakdown_tables(breakdown, lead=lead),
            "quarters_table": presentation.quarters_table(compliance.quarters, lead=lead),
            "timeline_chart": charts.timeline_chart(dashboard.timeline, today=today),
            "compliance_chart": charts.compliance_chart(compliance.quarters, lead=lead),
            "page_obj": Paginator(dashboard.deadlines, PAGE_SIZE).get_page(request.GET.get("page")),
            "programmes": presentation.programme_rows(dashboard.programmes),
        },
    )
