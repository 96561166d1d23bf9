"""The view log, read only and scoped to the user's organisation like every other admin.

Entries are never added, changed or deleted here (not even by a superuser, nor in bulk):
``services.view_record`` writes them and ``services.view_log_purge`` alone removes them.
"""

from django.contrib import admin

from organisations.admin_access import OrganisationScopedAdmin, ViewOnly

from .models import RecordView


@admin.register(RecordView)
class RecordViewAdmin(OrganisationScopedAdmin, ViewOnly, admin.ModelAdmin):
    actions = None  # no bulk delete
    list_display = ["at", "username", "kind", "record_label", "how_label", "organisation"]
    list_filter = ["kind", "how", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["username"]
    fields = [
        "at",
        "user",
        "username",
        "organisation",
        "kind",
        "content_type",
        "object_id",
        "how",
        "file_format",
    ]

    @admin.display(description="record")
    def record_label(self, entry):
        return entry.record_label

    @admin.display(description="how")
    def how_label(self, entry):
        return entry.how_label
