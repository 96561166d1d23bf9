from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, ViewOnly

from .models import Submission


@admin.register(Submission)
class SubmissionAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    """Submissions change only through ``submissions.services`` (sent ones never): the admin
    shows them and their history."""

    list_display = ["__str__", "organisation", "status", "sent_on", "sent_by"]
    list_filter = ["status", ("organisation", admin.RelatedOnlyFieldListFilter)]
    exclude = ["content"]
