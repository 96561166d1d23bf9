"""Complaints, recommendations and their records are changed in the app, through
``recommendations.services``: here they are shown, scoped to the user's organisations."""

from django.contrib import admin
from django.db import models
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from deadlines.models import Deadline
from organisations.admin_access import (
    OrganisationScopedAdmin,
    OrganisationScopedRows,
    SharedReferenceAdmin,
    ViewOnly,
)

from .models import Complaint, Evidence, Ombudsman, Recommendation


@admin.register(Ombudsman)
class OmbudsmanAdmin(SharedReferenceAdmin, SimpleHistoryAdmin):
    list_display = ["short_name", "name"]
    search_fields = ["name", "short_name"]


class RecommendationInline(OrganisationScopedRows, ViewOnly, admin.TabularInline):
    model = Recommendation
    fields = ["number", "organisation", "kind", "status", "text"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class DeadlineInline(OrganisationScopedRows, ViewOnly, admin.TabularInline):
    model = Deadline
    fields = ["kind", "organisation", "title", "due_date", "original_due_date", "status", "owner"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = "deadlines and statutory clocks"


@admin.register(Complaint)
class ComplaintAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    """A complaint is seen by the staff of every organisation it binds."""

    organisation_path = "organisations"
    list_display = [
        "reference",
        "title",
        "ombudsman",
        "finding",
        "is_public_interest_report",
        "report_date",
        "received_date",
    ]
    list_filter = [
        "ombudsman",
        "finding",
        "is_public_interest_report",
        ("organisations", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["reference", "title"]
    date_hierarchy = "report_date"
    inlines = [RecommendationInline, DeadlineInline]


# Links to evidence are https unless they say otherwise (Django 6's default).
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


class EvidenceInline(OrganisationScopedRows, ViewOnly, admin.TabularInline):
    model = Evidence
    formfield_overrides = HTTPS_LINKS
    organisation_path = "recommendation__organisation"
    fields = ["description", "file", "url", "sha256", "added_by", "added_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Recommendation)
class RecommendationAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "due_date",
        "original_due_date",
        "outcome",
        "owner",
    ]
    list_filter = [
        "status",
        "kind",
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "complaint__ombudsman",
    ]
    search_fields = ["complaint__reference", "text"]
    list_select_related = ["complaint", "organisation", "deadline__owner"]
    readonly_fields = ["rule", "due_date", "outcome"]
    inlines = [EvidenceInline]

    @admin.display(ordering="deadline__due_date")
    def due_date(self, obj):
        return obj.deadline.due_date

    @admin.display(description="original due date")
    def original_due_date(self, obj):
        return obj.deadline.original_due_date

    @admin.display(description="compliance")
    def outcome(self, obj):
        return obj.outcome(at=timezone.localdate()).label

    @admin.display()
    def owner(self, obj):
        return obj.deadline.owner

    @admin.display(description="deadline rule")
    def rule(self, obj):
        return obj.deadline.rule_description


@admin.register(Evidence)
class EvidenceAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "recommendation__organisation"
    formfield_overrides = HTTPS_LINKS
    list_display = ["description", "recommendation", "added_by", "added_at", "sha256"]
    search_fields = ["description", "recommendation__complaint__reference"]
    list_select_related = ["recommendation__complaint", "recommendation__organisation", "added_by"]
