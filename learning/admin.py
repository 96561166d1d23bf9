"""The learning programme is changed in the app, through ``learning.services`` (which check
versions, write history, checksum files and send the links): here it is shown, scoped to the
user's organisations. The lists of named people are shown only to those who may see them
(``view_person``, ``view_acknowledgement``: managers and superusers)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin, OrganisationScopedRows, ViewOnly

from .models import (
    Acknowledgement,
    Audience,
    DeliverySession,
    FollowUpCheck,
    LearningAttachment,
    LearningPoint,
    LearningPointVersion,
    Person,
)

POINT_ORGANISATION = "recommendation__organisation"


class VersionInline(OrganisationScopedRows, ViewOnly, admin.TabularInline):
    model = LearningPointVersion
    organisation_path = f"learning_point__{POINT_ORGANISATION}"
    fields = ["number", "text", "change_note", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0


class AttachmentInline(OrganisationScopedRows, ViewOnly, admin.TabularInline):
    model = LearningAttachment
    organisation_path = f"learning_point__{POINT_ORGANISATION}"
    fields = ["description", "file", "sha256", "added_by", "added_at"]
    readonly_fields = fields
    extra = 0


@admin.register(LearningPoint)
class LearningPointAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = POINT_ORGANISATION
    list_display = ["title", "recommendation", "current_version", "created_at"]
    list_select_related = [
        "recommendation__complaint",
        "recommendation__organisation",
        "current_version",
    ]
    search_fields = ["title", "recommendation__complaint__reference"]
    fields = ["recommendation", "title", "audiences", "current_version", "created_at"]
    inlines = [VersionInline, AttachmentInline]


@admin.register(Audience)
class AudienceAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    list_display = ["name", "agency", "organisation"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "agency"]
    fields = ["organisation", "name", "agency", "created_at"]


@admin.register(Person)
class PersonAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    list_display = ["name", "email", "organisation", "added_on", "left_on"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter), "left_on"]
    search_fields = ["name", "email"]
    fields = ["organisation", "name", "email", "user", "audiences", "added_on", "left_on"]


@admin.register(DeliverySession)
class DeliverySessionAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    """The attendees are named on the session's page in the app, for those who may see them."""

    organisation_path = f"learning_point__{POINT_ORGANISATION}"
    list_display = ["__str__", "learning_point", "facilitator", "delivered_version"]
    list_select_related = ["learning_point", "delivered_version__learning_point"]
    fields = [
        "learning_point",
        "delivered_version",
        "held_on",
        "format",
        "facilitator",
        "audiences",
        "notes",
        "created_by",
        "created_at",
    ]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "person__organisation"
    list_display = ["person", "learning_version", "how", "at"]
    list_select_related = ["person", "learning_version__learning_point"]
    list_filter = ["how"]


@admin.register(FollowUpCheck)
class FollowUpCheckAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = f"learning_point__{POINT_ORGANISATION}"
    list_display = ["__str__", "delivered_on", "interval_months", "result"]
    list_select_related = ["learning_point"]
    list_filter = ["kind", "result"]
