"""The evidence sent to the Ombudsman and the verdicts are recorded in the app, through
``verdicts.services`` (which move the recommendation and its deadlines): here they are only
shown, scoped to the user's organisations. The letter is downloaded from the recommendation's
page, where the download is checked and logged."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, ViewOnly

from .models import AwaitedReply, Verdict


@admin.register(AwaitedReply)
class AwaitedReplyAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "recommendation__organisation"
    list_display = ["__str__", "sent_on", "reference", "status", "deadline"]
    list_filter = ["status"]
    list_select_related = [
        "recommendation__complaint",
        "recommendation__organisation",
        "deadline",
    ]
    search_fields = ["reference", "recommendation__complaint__reference"]
    fields = ["recommendation", "sent_on", "reference", "status", "deadline", "sent_by"]


@admin.register(Verdict)
class VerdictAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "awaited__recommendation__organisation"
    list_display = ["__str__", "awaited", "kind", "letter_date", "new_due_date"]
    list_filter = ["kind"]
    list_select_related = [
        "awaited__recommendation__complaint",
        "awaited__recommendation__organisation",
    ]
    search_fields = ["awaited__recommendation__complaint__reference"]
    # The letter itself is not a link here: it is served only by the logged download.
    fields = [
        "awaited",
        "kind",
        "letter_date",
        "letter_sha256",
        "completed_on",
        "next_steps",
        "new_due_date",
        "recorded_by",
        "recorded_at",
    ]
