from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, SharedReferenceAdmin, ViewOnly

from .models import ManagerDigest, Reminder, ReminderSchedule


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
    list_display = ["deadline", "stage", "for_due_date", "sent_to", "status", "sent_at"]
    list_filter = ["status", "is_escalation", "deadline__kind"]
    search_fields = ["deadline__title", "recipient__username", "recipient__email"]
    list_select_related = ["deadline", "recipient"]
    date_hierarchy = "created_at"

    @admin.display(description="recipient", ordering="recipient")
    def sent_to(self, reminder):
        # No recipient: each manager responsible got it in a digest (see the field's help).
        return reminder.recipient or "The managers responsible, in their digests"


@admin.register(ManagerDigest)
class ManagerDigestAdmin(OrganisationScopedAdmin, ViewOnly, admin.ModelAdmin):
    """One email per manager and dispatch listing the deadlines that need them: those overdue or
    without an owner, of their organisation, whose owner's team or complaint's service area is
    the manager's team (or every one of the organisation if no manager has that team)."""

    organisation_path = "recipient__organisation"
    list_display = ["recipient", "dispatched_at", "status", "listed", "sent_at"]
    list_filter = ["status"]
    search_fields = ["recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "dispatched_at"
