"""Annual letters are typed in, changed and imported in the app, through
``annual_review.services`` (which check versions and write history): here they are only shown,
scoped to the user's organisations."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, ViewOnly

from .models import AnnualLetter


@admin.register(AnnualLetter)
class AnnualLetterAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    list_display = [
        "organisation",
        "year",
        "decisions",
        "upheld",
        "compliance_rate",
        "satisfactory_remedies",
        "source",
    ]
    list_filter = ["year", "source"]
    list_select_related = ["organisation"]
