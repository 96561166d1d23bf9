from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, SharedReferenceAdmin, ViewOnly

from .models import Reminder, ReminderSchedule


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(SharedReferenceAdmin, SimpleHistoryAdmin):
    """The same schedules serve every council: a superuser changes them."""

    list_display = [
        "deadline_kind",
        "days_before",
        "on_the_day",
        "overdue_every_days",
        "escalate_after",
        "escalation_officer",
    ]
    list_select_related = ["escalation_officer"]

    def has_add_permission(self, request):
        # One schedule per kind of deadline, created by a migration.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(OrganisationScopedAdmin, ViewOnly, admin.ModelAdmin):
    """The record of what was sent: read only, since it is what makes each send happen once."""

    organisation_path = "deadline__organisation"
    list_display = ["deadline", "stage", "for_due_date", "recipient", "status", "sent_at"]
    list_filter = ["status", "is_escalation", "deadline__kind"]
    search_fields = ["deadline__title", "recipient__username", "recipient__email"]
    list_select_related = ["deadline", "recipient"]
    date_hierarchy = "created_at"
