"""The action plan's forms: they validate and nothing else (``plans.services`` acts)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from ombudsman_tracker.forms import GovukDateField, VersionField

from .models import Milestone, MilestoneStatus


def _owner_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="Who makes sure it is done: they are reminded as the planned date nears.",
    )


def _reason_field(*, label: str, help_text: str, required: bool, message: str):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={"required": message},
    )


class MilestoneForm(forms.Form):
    """A new milestone, or a change to one (``milestone`` given: with its status, the reason
    a planned date moves and the version the user saw)."""

    title = forms.CharField(
        label="Milestone",
        max_length=200,
        help_text="What will be done, for example 'Briefing delivered to the front door'.",
        error_messages={"required": "Enter what the milestone is"},
    )
    owner = _owner_field()
    planned_date = GovukDateField(
        label="Planned date", help_text="The date it is due by. For example, 14 1 2022"
    )

    def __init__(self, *args, organisation, milestone: Milestone | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone
        self.fields["owner"].queryset = User.objects.filter(
            organisation=organisation, is_active=True
        ).order_by("first_name", "last_name", "username")
        if milestone is not None:
            self.fields["status"] = forms.ChoiceField(
                choices=[
                    (s.value, s.label) for s in MilestoneStatus if s in MilestoneStatus.open()
                ],
                widget=forms.RadioSelect,
                help_text="To mark it done or drop it, use its own page.",
            )
            self.fields["reason"] = _reason_field(
                label="Why the planned date moves",
                help_text="Needed when the planned date changes. Kept in the history, and "
                "shown against the baseline.",
                required=False,
                message="",
            )
            self.fields["version"] = VersionField()

    @classmethod
    def initial_for(cls, milestone: Milestone) -> dict:
        return {
            "title": milestone.title,
            "owner": milestone.deadline.owner_id,
            "planned_date": milestone.deadline.due_date,
            "status": milestone.status,
            "version": milestone.version,
        }

    def clean(self):
        data = super().clean()
        moved = (
            self.milestone is not None
            and data.get("planned_date")
            and data["planned_date"] != self.milestone.deadline.due_date
        )
        if moved and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why the planned date moves")
        return data


class MilestoneCompleteForm(forms.Form):
    actual_date = GovukDateField(
        label="Date done",
        help_text="The day it was done: this decides whether it was on time. For example, "
        "10 1 2022",
    )
    evidence = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No evidence",
        help_text="One of the recommendation's pieces of evidence. Add a file or a link to "
        "the recommendation first if it is not listed.",
    )
    reason = _reason_field(
        label="Note", help_text="Kept in the history.", required=False, message=""
    )
    version = VersionField()

    def __init__(self, *args, milestone: Milestone, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["evidence"].queryset = milestone.plan.recommendation.evidence.order_by(
            "-added_at", "-pk"
        )

    def clean_actual_date(self):
        actual = self.cleaned_data["actual_date"]
        if actual > self.today:
            raise ValidationError("Date done must be today or in the past")
        return actual


class MilestoneReasonForm(forms.Form):
    """Dropping or reopening a milestone: the reason, and the version the user saw."""

    reason = _reason_field(
        label="Why",
        help_text="Kept in the milestone's history and its deadline's.",
        required=True,
        message="Enter the reason",
    )
    version = VersionField()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Enter the reason")
        return reason


class BaselineForm(forms.Form):
    agreed_on = GovukDateField(
        label="Date the committee agreed the plan", help_text="For example, 14 12 2021"
    )
    note = forms.CharField(
        label="Who agreed it",
        max_length=500,
        help_text="For example 'Agreed by the General Purposes & Audit Committee on 14 Dec "
        "2021, agenda item 6'.",
        error_messages={"required": "Enter who agreed the plan"},
    )
    version = VersionField()

    def __init__(self, *args, again: bool, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if again:
            self.fields["reason"] = _reason_field(
                label="Why the plan is baselined again",
                help_text="The earlier baseline stays in the history.",
                required=True,
                message="Enter why the plan is baselined again",
            )

    def clean_agreed_on(self):
        agreed = self.cleaned_data["agreed_on"]
        if agreed > self.today:
            raise ValidationError("Date the committee agreed the plan must be today or in the past")
        return agreed
