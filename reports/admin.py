from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, ViewOnly

from .models import Body, CommitteeReport, DistributionEntry


@admin.register(Body)
class BodyAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    """A council's own bodies are its administrators' to change; the bodies every council
    shares (no organisation) are a superuser's."""

    includes_shared_rows = True
    list_display = ["name", "kind", "organisation", "is_active"]
    list_filter = ["kind", "is_active", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]

    def _is_shared(self, request, obj):
        return obj is not None and obj.organisation_id is None and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return not self._is_shared(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_shared(request, obj) and super().has_delete_permission(request, obj)


class ReportRecordAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    """Reports and ledger entries change only through ``reports.services`` (issued reports
    never): the admin shows them and their history."""


@admin.register(CommitteeReport)
class CommitteeReportAdmin(ReportRecordAdmin):
    list_display = ["__str__", "organisation", "status", "version_number", "issued_by", "issued_at"]
    list_filter = [
        "status",
        ("body", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    exclude = ["content"]


@admin.register(DistributionEntry)
class DistributionEntryAdmin(ReportRecordAdmin):
    list_display = ["complaint", "body", "meeting_date", "agenda_item", "organisation"]
    list_filter = [
        ("body", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
