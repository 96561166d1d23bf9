"""Deadlines are made and moved in the app, through ``deadlines.services``: here they are
shown, scoped to the user's organisations. A deadline's owner is the one thing changed here,
through ``services.deadline_owner_change``; the statutory clock rules are shared reference data.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from ombudsman_tracker.forms import VersionField
from ombudsman_tracker.history import save_with_history
from organisations.admin_access import (
    OrganisationScopedAdmin,
    OrganisationScopedRows,
    SharedReferenceAdmin,
    ViewOnly,
)

from . import services
from .models import ComplianceSettings, Deadline, Extension, StatutoryClockRule


class ExtensionInline(OrganisationScopedRows, ViewOnly, admin.TabularInline):
    model = Extension
    organisation_path = "deadline__organisation"
    fields = ["status", "previous_due_date", "new_due_date", "basis", "reason", "decided_by"]
    readonly_fields = fields
    extra = 0


class DeadlineOwnerForm(forms.ModelForm):
    """The owner, from the active staff of the deadline's organisation, and the version of
    the deadline the form was opened with, so a save on top of someone else's is refused."""

    version_seen = VersionField()

    class Meta:
        model = Deadline
        fields = ["owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        deadline = self.instance
        self.fields["version_seen"].initial = deadline.version
        if "owner" in self.fields:  # not for someone who may only view
            # The current owner stays selectable, so saving does not drop one who has left.
            self.fields["owner"].queryset = User.objects.filter(
                Q(organisation=deadline.organisation_id, is_active=True) | Q(pk=deadline.owner_id)
            )


@admin.register(Deadline)
class DeadlineAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    """Dates move only by a rule, an override with a reason, or a recorded extension, all in
    the app; only the owner is changed here."""

    form = DeadlineOwnerForm
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
    list_filter = ["kind", "status", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "complaint__reference"]
    list_select_related = ["organisation", "owner"]
    date_hierarchy = "due_date"
    readonly_fields = [
        "title",
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
    fields = ["owner", "version_seen", *readonly_fields]
    inlines = [ExtensionInline]

    @admin.display(description="compliance")
    def outcome(self, obj):
        return obj.outcome(at=timezone.localdate()).label

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fields
        return [name for name in self.fields if name != "version_seen"]

    def save_model(self, request, obj, form, change):
        if "owner" in form.changed_data:
            services.deadline_owner_change(
                deadline=obj,
                owner=form.cleaned_data["owner"],
                by=request.user,
                version=form.cleaned_data["version_seen"],
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # Nothing was saved: the page opens again on the latest version, with the reason
            # (as for a ConflictError, in ``OrganisationScopedAdmin``).
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Extension)
class ExtensionAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "deadline__organisation"
    list_display = ["deadline", "status", "previous_due_date", "new_due_date", "basis"]
    list_filter = ["status", "basis"]
    list_select_related = ["deadline"]


@admin.register(StatutoryClockRule)
class StatutoryClockRuleAdmin(SharedReferenceAdmin, SimpleHistoryAdmin):
    """The rule is shown in words beside its fields, as each clock it makes will show it."""

    list_display = ["kind", "in_words"]
    fields = ["kind", "count", "unit", "counting", "anchor", "follows", "in_words", "legal_basis"]
    readonly_fields = ["in_words"]

    @admin.display(description="the rule in words")
    def in_words(self, obj):
        return obj.rule_description if obj.pk else ""


class ComplianceSettingsForm(forms.ModelForm):
    """The rate that leads, and the version the form was opened with (none when adding), so a
    save on top of another administrator's is refused."""

    version_seen = VersionField(required=False)

    class Meta:
        model = ComplianceSettings
        fields = ["organisation", "lead_rate"]
        widgets = {"lead_rate": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version_seen" in self.fields:
            self.fields["version_seen"].required = self.instance.pk is not None
            self.fields["version_seen"].initial = self.instance.version


@admin.register(ComplianceSettings)
class ComplianceSettingsAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    """Which compliance rate an organisation leads with. Its Administrators (the role holds the
    permissions) add and change their own organisation's; a row is never deleted, so the
    history of the choice stays with it."""

    form = ComplianceSettingsForm
    list_display = ["organisation", "lead_rate"]
    list_select_related = ["organisation"]

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj) or obj is None:
            return ["organisation", "lead_rate", "version_seen"]
        return ["organisation", "lead_rate"]

    def get_readonly_fields(self, request, obj=None):
        # A setting belongs to its organisation: another organisation adds its own.
        return ["organisation"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)  # a duplicate is a ConflictError
            return
        save_with_history(
            obj,
            by=request.user,
            reason="Changed in the administration site",
            expected_version=form.cleaned_data["version_seen"],
        )
