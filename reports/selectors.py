"""Reads scoped to the user: staff see the reports and ledgers of their own organisation.

Drafts are seen only by those who may prepare reports; everyone else sees issued reports.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from organisations.models import Organisation
from recommendations.selectors import complaint_get_for, complaints_visible_to
from recommendations.services import covers_every_organisation

from .models import Body, CommitteeReport, DistributionEntry, ReportStatus


def reports_visible_to(user):
    reports = CommitteeReport.objects.select_related("body", "organisation", "issued_by")
    if not user.has_perm("reports.generate_report"):
        reports = reports.filter(status=ReportStatus.ISSUED)
    if user.sees_every_organisation:
        return reports
    return reports.filter(organisation=user.organisation_id)


def report_get_for(user, pk) -> CommitteeReport:
    """The report, or 404 if it does not exist or the user may not see it."""
    return get_object_or_404(reports_visible_to(user), pk=pk)


def organisations_reporting(user, complaints):
    """The organisations the user may report for, among those ``complaints`` bind."""
    organisations = Organisation.objects.filter(complaints__in=complaints).distinct()
    if user.sees_every_organisation:
        return organisations.order_by("name")
    return organisations.filter(pk=user.organisation_id)


def bodies_visible_to(user):
    bodies = Body.objects.filter(is_active=True).select_related("organisation")
    if user.sees_every_organisation:
        return bodies.order_by("name", "organisation__name")
    return bodies.for_organisation(user.organisation_id).order_by("name")


def distribution_for(user, complaint):
    """The ledger entries of ``complaint`` for the organisations the user may see."""
    entries = DistributionEntry.objects.filter(complaint=complaint).select_related(
        "body", "organisation", "report", "recorded_by"
    )
    if user.sees_every_organisation:
        return entries.order_by("meeting_date", "pk")
    return entries.filter(organisation=user.organisation_id).order_by("meeting_date", "pk")


def entry_get_for(user, pk) -> DistributionEntry:
    entries = DistributionEntry.objects.select_related("complaint", "body").filter(
        complaint__in=complaints_visible_to(user)
    )
    if not user.sees_every_organisation:
        entries = entries.filter(organisation=user.organisation_id)
    return get_object_or_404(entries, pk=pk)


def issued_reports_on(user, complaint):
    """Issued reports on ``complaint`` the user may see: what a ledger entry may point to."""
    return (
        reports_visible_to(user)
        .filter(status=ReportStatus.ISSUED, complaints=complaint)
        .order_by("-meeting_date", "-version_number")
    )


# --- A shared complaint, each council side by side ------------------------------------------

SIDE_BY_SIDE = "reports.view_committeereport"


def side_by_side_allowed(user, organisations) -> bool:
    """Whether ``user`` may see a complaint binding ``organisations`` side by side: it binds
    more than one council (for one, the complaint's page and its report are the picture), the
    user may read reports, and their access covers every council it binds (a user who sees
    every organisation). No query: ``organisations`` are those already read."""
    return (
        len(organisations) > 1
        and user.has_perm(SIDE_BY_SIDE)
        and covers_every_organisation(user, organisations)
    )


def side_by_side_get_for(user, pk) -> tuple:
    """The complaint and the councils it binds (by name), or 404: for a complaint the user
    may not see, one binding a single council, or one binding a council the user's access
    does not cover (whether it exists is not revealed)."""
    complaint = complaint_get_for(user, pk)
    organisations = list(complaint.organisations.order_by("name"))
    if not side_by_side_allowed(user, organisations):
        raise Http404("No side-by-side view of this complaint for this user")
    return complaint, organisations
