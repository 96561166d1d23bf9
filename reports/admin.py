from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Body, CommitteeReport, DistributionEntry


@admin.register(Body)
class BodyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organisation", "is_active"]
    list_filter = ["kind", "is_active", "organisation"]
    search_fields = ["name"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Reports and ledger entries change only through ``reports.services`` (issued reports
    never): the admin shows them and their history."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommitteeReport)
class CommitteeReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organisation", "status", "version_number", "issued_by", "issued_at"]
    list_filter = ["status", "body", "organisation"]
    exclude = ["content"]


@admin.register(DistributionEntry)
class DistributionEntryAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "body", "meeting_date", "agenda_item", "organisation"]
    list_filter = ["body", "organisation"]
