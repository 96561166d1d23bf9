"""Reads scoped to the user: staff see the reports and ledgers of their own organisation.

Drafts are seen only by those who may prepare reports; everyone else sees issued reports.
"""

from django.shortcuts import get_object_or_404

from organisations.models import Organisation
from recommendations.selectors import complaints_visible_to

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
