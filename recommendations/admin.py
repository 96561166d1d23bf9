from django.contrib import admin
from django.db import models
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Complaint,
    Deadline,
    Evidence,
    Extension,
    Ombudsman,
    Recommendation,
    StatutoryClockRule,
)


@admin.register(Ombudsman)
class OmbudsmanAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "name"]
    search_fields = ["name", "short_name"]


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    fields = ["number", "organisation", "kind", "status", "text"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # A recommendation needs its deadline: add it from the recommendation page.
        return False


class DeadlineInline(admin.TabularInline):
    model = Deadline
    fields = ["kind", "organisation", "title", "due_date", "original_due_date", "status", "owner"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "deadlines and statutory clocks"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "ombudsman",
        "finding",
        "is_public_interest_report",
        "report_date",
        "received_date",
    ]
    list_filter = ["ombudsman", "finding", "is_public_interest_report", "organisations"]
    search_fields = ["reference", "title"]
    date_hierarchy = "report_date"
    filter_horizontal = ["organisations"]
    inlines = [RecommendationInline, DeadlineInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The organisations are saved only now, so the clocks can be generated.
        services.statutory_clocks_generate(complaint=form.instance, by=request.user)


class CreatedInTheAppMixin:
    """Records whose creation carries rules (deadlines, checksums) are added in the app."""

    def has_add_permission(self, request):
        return False


# Links to evidence are https unless they say otherwise (Django 6's default).
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


class EvidenceInline(admin.TabularInline):
    model = Evidence
    formfield_overrides = HTTPS_LINKS
    fields = ["description", "file", "url", "sha256", "added_by", "added_at"]
    readonly_fields = ["sha256", "added_by", "added_at"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        # Evidence is added through the service, which records who and when.
        return False


@admin.register(Recommendation)
class RecommendationAdmin(CreatedInTheAppMixin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "due_date",
        "original_due_date",
        "outcome",
        "owner",
    ]
    list_filter = ["status", "kind", "organisation", "complaint__ombudsman"]
    search_fields = ["complaint__reference", "text"]
    list_select_related = ["complaint", "organisation", "deadline__owner"]
    # Status changes go through the app, which checks transitions and evidence.
    readonly_fields = ["deadline", "status", "rule", "due_date", "outcome"]
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


class ExtensionInline(admin.TabularInline):
    model = Extension
    fields = ["status", "previous_due_date", "new_due_date", "basis", "reason", "decided_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(CreatedInTheAppMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "kind",
        "organisation",
        "due_date",
        "original_due_date",
        "status",
        "completed_on",
        "outcome",
        "owner",
    ]
    list_filter = ["kind", "status", "organisation"]
    search_fields = ["title", "complaint__reference"]
    list_select_related = ["organisation", "owner"]
    date_hierarchy = "due_date"
    # Dates move only by a rule, an override with a reason, or a recorded extension.
    readonly_fields = [
        "complaint",
        "organisation",
        "kind",
        "rule_description",
        "computed_due_date",
        "original_due_date",
        "due_date",
        "override_reason",
        "status",
        "completed_on",
        "outcome",
    ]
    fields = ["title", "owner", *readonly_fields]
    inlines = [ExtensionInline]

    @admin.display(description="compliance")
    def outcome(self, obj):
        return obj.outcome(at=timezone.localdate()).label


@admin.register(Extension)
class ExtensionAdmin(CreatedInTheAppMixin, SimpleHistoryAdmin):
    list_display = ["deadline", "status", "previous_due_date", "new_due_date", "basis"]
    list_filter = ["status", "basis"]
    list_select_related = ["deadline"]


@admin.register(Evidence)
class EvidenceAdmin(CreatedInTheAppMixin, SimpleHistoryAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["description", "recommendation", "added_by", "added_at", "sha256"]
    search_fields = ["description", "recommendation__complaint__reference"]
    list_select_related = ["recommendation__complaint", "recommendation__organisation", "added_by"]
    readonly_fields = ["sha256"]


@admin.register(StatutoryClockRule)
class StatutoryClockRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "count", "unit", "counting", "anchor", "follows"]
