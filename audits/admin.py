"""The case audit, shown and never changed here: audits change through ``audits.services``,
and an auditor's submitted answers only through reopening in the app.

What a live concern says, its response, and an outcome's findings and learning are
need-to-know (the case's auditors and managers): they are not shown here at all, not even in
the history, which lists only the changes of the fields each admin shows.
"""

import dataclasses

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from organisations.admin_access import OrganisationScopedAdmin, ViewOnly

from .models import AuditOutcome, AuditProgramme, LiveConcern, SampleCase


class AuditAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "sample_case__programme__recommendation__organisation"


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(AuditAdmin):
    organisation_path = "recommendation__organisation"
    list_display = ["title", "kind", "recommendation", "owner", "drawn_at"]
    list_filter = ["kind"]
    list_select_related = ["recommendation__complaint", "recommendation__organisation", "owner"]
    search_fields = ["title", "recommendation__complaint__reference"]


@admin.register(SampleCase)
class SampleCaseAdmin(AuditAdmin):
    organisation_path = "programme__recommendation__organisation"
    list_display = ["case", "programme", "position", "auditor", "moderator"]
    list_select_related = ["case", "programme", "auditor", "moderator"]
    search_fields = ["case__case_reference"]


class ShownFieldsHistory(HistoricalRecordContextHelper):
    """A record's changes, only of the ``shown`` fields."""

    def __init__(self, *args, shown, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown = shown

    def context_for_delta_changes(self, delta):
        shown = dataclasses.replace(
            delta,
            changes=[change for change in delta.changes if change.field in self.shown],
            changed_fields=[name for name in delta.changed_fields if name in self.shown],
        )
        return super().context_for_delta_changes(shown)


class NeedToKnowAdmin(AuditAdmin):
    """Shows only ``fields``: status, dates, who, and the case's pseudonymised reference."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ShownFieldsHistory(self.model, historical_record, shown=self.fields)


@admin.register(AuditOutcome)
class AuditOutcomeAdmin(NeedToKnowAdmin):
    fields = ["sample_case", "role", "auditor", "status", "submitted_at"]
    list_display = fields
    list_filter = ["status", "role"]
    list_select_related = ["sample_case__case", "sample_case__programme", "auditor"]


@admin.register(LiveConcern)
class LiveConcernAdmin(NeedToKnowAdmin):
    fields = [
        "sample_case",
        "raised_by",
        "raised_at",
        "team_manager_email",
        "deadline",
        "responded_by",
        "responded_at",
    ]
    list_display = ["__str__", "raised_by", "raised_at", "responded_at"]
    list_select_related = ["sample_case__case", "raised_by"]
