"""Remedy payments are recorded, moved, paid and cancelled in the app, through
``remedies.services`` (which keep their deadlines in step): here they are only shown, scoped to
the user's organisations. Their deadline's owner is changed on the deadline's admin page,
through ``deadlines.services.deadline_owner_change``."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, ViewOnly

from .models import RemedyPayment


@admin.register(RemedyPayment)
class RemedyPaymentAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "recommendation__organisation"
    list_display = ["__str__", "recommendation", "kind", "amount", "deadline", "paid_on"]
    list_filter = ["kind"]
    list_select_related = [
        "recommendation__complaint",
        "recommendation__organisation",
        "deadline",
    ]
    search_fields = ["payee_reference", "finance_reference", "recommendation__complaint__reference"]
    fields = [
        "recommendation",
        "amount",
        "kind",
        "payee_reference",
        "deadline",
        "paid_on",
        "finance_reference",
    ]
