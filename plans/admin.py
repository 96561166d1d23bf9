"""Action plans are made, baselined and moved in the app, through ``plans.services``: here
they are shown, scoped to the user's organisations. A milestone's title, owner and planned
date may be changed here, through ``services.milestone_update`` (with a reason and the
version the form was opened with), as on its page."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from ombudsman_tracker.forms import VersionField
from ombudsman_tracker.history import history_note
from organisations.admin_access import OrganisationScopedAdmin, OrganisationScopedRows, ViewOnly

from . import services
from .models import ActionPlan, Milestone

ORGANISATION = "plan__recommendation__organisation"


class MilestoneInline(OrganisationScopedRows, ViewOnly, admin.TabularInline):
    model = Milestone
    organisation_path = ORGANISATION
    fields = ["order", "title", "status", "baseline_date", "actual_date"]
    readonly_fields = fields
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(OrganisationScopedAdmin, ViewOnly, SimpleHistoryAdmin):
    organisation_path = "recommendation__organisation"
    list_display = ["recommendation", "agreed_on", "baseline_count"]
    list_select_related = ["recommendation__complaint", "recommendation__organisation"]
    search_fields = ["recommendation__complaint__reference"]
    inlines = [MilestoneInline]


class MilestoneAdminForm(forms.ModelForm):
    """The title, owner and planned date, the reason a date moves, and the version the form
    was opened with, so a save on top of someone else's is refused."""

    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    planned_date = forms.DateField()
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the planned date changes; kept in the history.",
    )
    version_seen = VersionField()

    class Meta:
        model = Milestone
        fields = ["title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        milestone = self.instance
        deadline = milestone.deadline
        self.fields["version_seen"].initial = milestone.version
        self.fields["planned_date"].initial = deadline.due_date
        self.fields["owner"].initial = deadline.owner_id
        # The current owner stays selectable, so saving does not drop one who has left.
        self.fields["owner"].queryset = User.objects.filter(
            Q(organisation=deadline.organisation_id, is_active=True) | Q(pk=deadline.owner_id)
        )


@admin.register(Milestone)
class MilestoneAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    organisation_path = ORGANISATION
    form = MilestoneAdminForm
    list_display = ["title", "plan", "status", "planned", "baseline_date", "actual_date"]
    list_filter = ["status"]
    list_select_related = [
        "plan__recommendation__complaint",
        "plan__recommendation__organisation",
        "deadline",
    ]
    search_fields = ["title", "plan__recommendation__complaint__reference"]
    readonly_fields = ["plan", "status", "baseline_date", "actual_date", "evidence"]
    editable = ["title", "owner", "planned_date", "reason", "version_seen"]

    @admin.display(description="planned date")
    def planned(self, obj):
        return obj.deadline.due_date

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return [*self.editable, *self.readonly_fields]
        return ["title", "planned", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.readonly_fields
        return ["title", "planned", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with history_note("changed in the administration site"):
            services.milestone_update(
                milestone=Milestone.objects.select_related("plan__recommendation", "deadline").get(
                    pk=obj.pk
                ),
                version=data["version_seen"],
                title=data["title"],
                planned_date=data["planned_date"],
                owner=data["owner"],
                reason=data["reason"],
                by=request.user,
            )

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # Nothing was saved: the page opens again on the latest version, with the reason.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
