"""Forms of the learning programme: they validate, and nothing else (the services act)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from ombudsman_tracker.forms import GovukDateField, VersionField, csv_file_field
from ombudsman_tracker.uploads import size_in_mb, upload_check

from .models import CheckKind, CheckResult, SessionFormat
from .services import list_file_check

AUDIENCES_HINT = "Select every team or role it must reach. Add audiences on the audiences page."


def _audiences_field(queryset, *, help_text=AUDIENCES_HINT):
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class LearningPointForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text="For example 'Cross-border referrals: contact the other council the same day'.",
        error_messages={"required": "Enter a title"},
    )
    text = forms.CharField(
        label="What staff must know",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="This is what people read and acknowledge. Never a child's or family's name.",
        error_messages={"required": "Enter what staff must know"},
    )
    audiences = _audiences_field(None)

    def __init__(self, *args, audiences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audiences"].queryset = audiences


class LearningPointChangeForm(forms.Form):
    title = LearningPointForm.base_fields["title"]
    audiences = _audiences_field(None)
    version = VersionField()

    def __init__(self, *args, audiences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audiences"].queryset = audiences


class PublishForm(forms.Form):
    text = forms.CharField(
        label="The new text",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Everyone it must reach will be asked to acknowledge it again.",
        error_messages={"required": "Enter the new text"},
    )
    change_note = forms.CharField(
        label="What changed",
        max_length=300,
        help_text="Shown with the version, for example 'Added the police contact number'.",
        error_messages={"required": "Enter what changed"},
    )
    version = VersionField()


class AttachmentForm(forms.Form):
    description = forms.CharField(
        max_length=300,
        help_text="For example 'Briefing note, March 2022'.",
        error_messages={"required": "Enter a description of the file"},
    )
    file = forms.FileField(
        label="Upload a file", error_messages={"required": "Select a file to upload"}
    )

    @property
    def max_size(self) -> str:
        return size_in_mb(settings.EVIDENCE_MAX_UPLOAD_BYTES)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        upload_check(
            upload,
            allowed=settings.EVIDENCE_ALLOWED_EXTENSIONS,
            max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES,
        )
        return upload


class AudienceForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        help_text="A team or role, for example 'Front door (MASH)'.",
        error_messages={"required": "Enter the name of the team or role"},
    )
    agency = forms.CharField(
        label="Partner agency",
        max_length=200,
        required=False,
        help_text="If it is not part of the council, for example 'Metropolitan Police'.",
    )


class ListForm(forms.Form):
    """A list to import: a CSV file by its content."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        list_file_check(upload)
        return upload


class AudienceListForm(ListForm):
    file = csv_file_field(
        label="Upload the audience list", holding="with a name, work email and team per row"
    )


class AttendanceForm(ListForm):
    file = csv_file_field(
        label="Upload the attendance list", holding="with the work email of each attendee"
    )


class SessionForm(forms.Form):
    held_on = GovukDateField(label="Date", help_text="For example, 14 3 2022")
    format = forms.ChoiceField(
        choices=SessionFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the format"},
    )
    facilitator = forms.CharField(
        max_length=200,
        help_text="Who delivered it.",
        error_messages={"required": "Enter who delivered it"},
    )
    audiences = _audiences_field(None, help_text="The teams it was for.")
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )

    def __init__(self, *args, audiences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audiences"].queryset = audiences


class LeaveForm(forms.Form):
    left_on = GovukDateField(label="Date they left", help_text="For example, 31 5 2022")
    version = VersionField()


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of check",
        choices=CheckKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of check"},
    )
    delivered_on = GovukDateField(
        label="When the learning was delivered",
        help_text="The check is counted from this date. For example, 14 3 2022",
    )
    interval_months = forms.IntegerField(
        label="Months after delivery",
        min_value=1,
        max_value=36,
        initial=3,
        help_text="The check is due within this many months of delivery.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={"required": "Enter how many months after delivery"},
    )
    audit_programme = forms.ModelChoiceField(
        label="The audit that checks it",
        queryset=None,
        required=False,
        help_text="For a re-audit, if it has been set up.",
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audit_programme"].queryset = programmes


class FollowUpResultForm(forms.Form):
    result = forms.ChoiceField(
        label="What the check found",
        choices=CheckResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the check found"},
    )
    notes = forms.CharField(
        label="Details",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Never a child's or family's name.",
        error_messages={"required": "Enter the details"},
    )
    on = GovukDateField(label="Date of the check", help_text="For example, 14 6 2022")
    version = VersionField()

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > self.today:
            raise ValidationError("The date of the check must be today or in the past")
        return on
