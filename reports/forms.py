"""Forms for committee reports and the distribution ledger. They validate input and nothing
else: the views pass ``cleaned_data`` to ``reports.services``."""

from django import forms
from django.conf import settings

from ombudsman_tracker.formats import date_text
from ombudsman_tracker.forms import GovukDateField, file_types
from ombudsman_tracker.uploads import size_in_mb, upload_check

from .models import DEFAULT_RECOMMENDATION, CommitteeReport


def _body_label(body) -> str:
    return f"{body} ({body.organisation})" if body.organisation_id else str(body)


class ReportForm(forms.Form):
    complaints = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select each complaint the report covers.",
        error_messages={"required": "Select the complaints the report covers"},
    )
    organisation = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="The council whose progress the report covers.",
        error_messages={"required": "Select the organisation the report is for"},
    )
    body = forms.ModelChoiceField(
        label="Body the report goes to",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the body the report goes to"},
    )
    meeting_date = GovukDateField(label="Date of the meeting", help_text="For example, 15 2 2022")
    asked_to = forms.CharField(
        label="What the meeting is asked to do",
        widget=forms.Textarea(attrs={"rows": 5}),
        initial=DEFAULT_RECOMMENDATION,
        help_text="What the committee is asked to note or agree. Leave a blank line between "
        "paragraphs.",
        error_messages={"required": "Enter what the meeting is asked to do"},
    )

    def __init__(self, *args, complaints, organisations, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaints"].queryset = complaints
        self.fields["complaints"].label_from_instance = lambda c: f"{c.reference}: {c.title}"
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["body"].queryset = bodies
        self.fields["body"].label_from_instance = _body_label

    @staticmethod
    def initial_for(report: CommitteeReport) -> dict:
        return {
            "complaints": list(report.complaints.values_list("pk", flat=True)),
            "organisation": report.organisation_id,
            "body": report.body_id,
            "meeting_date": report.meeting_date,
            "asked_to": report.asked_to,
        }


class ReportChangeForm(ReportForm):
    """A draft's organisation is fixed once it is prepared."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].disabled = True


def _minutes_field() -> forms.FileField:
    return forms.FileField(
        label="Upload the minutes",
        required=False,
        error_messages={
            "empty": "The selected file is empty",  # Django's own says "submitted"
            "invalid": "The selected file could not be read: select it again",
            "missing": "The selected file could not be read: select it again",
        },
    )


def _minutes_help(when: str) -> str:
    return (
        f"A {file_types(settings.EVIDENCE_ALLOWED_EXTENSIONS)} file, smaller than "
        f"{size_in_mb(settings.EVIDENCE_MAX_UPLOAD_BYTES)}. {when}"
    )


def _checked_minutes(upload):
    """As evidence: name, size and content checked (``ombudsman_tracker.uploads``)."""
    if not upload:
        return None
    upload_check(
        upload,
        allowed=settings.EVIDENCE_ALLOWED_EXTENSIONS,
        max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES,
    )
    return upload


class DistributionForm(forms.Form):
    """An output sent or presented, or planned for a meeting still to come. Each message says
    what is wrong and how to put it right; ``reports.services`` refuses a resolution or
    minutes for a meeting that has not taken place, against those fields."""

    body = forms.ModelChoiceField(
        label="Body it went to",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="Choose the Ombudsman for the council's s31(2) response: recording it "
        "completes the s31(2) statutory clock.",
        error_messages={
            "required": "Select the body the output went to, or is going to",
            "invalid_choice": "Select one of the bodies listed",
        },
    )
    organisation = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="The council that sent or presented it.",
        error_messages={
            "required": "Select the organisation that sent or presented the output",
            "invalid_choice": "Select one of the organisations listed",
        },
    )
    what_was_sent = forms.CharField(
        label="What was sent or presented",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example 'Progress report, version 2' or 'The council's response under "
        "section 31(2)'.",
        error_messages={"required": "Enter what was sent or presented"},
    )
    report = forms.ModelChoiceField(
        label="Issued report presented",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={
            "invalid_choice": "Select one of the issued reports listed, or None if no report went",
        },
    )
    meeting = forms.CharField(
        label="Meeting",
        max_length=200,
        required=False,
        help_text="For example 'Extraordinary meeting'.",
        error_messages={"max_length": "The meeting must be 200 characters or fewer"},
    )
    meeting_date = GovukDateField(
        label="Date of the meeting, or the date sent",
        help_text="A meeting still to come is recorded as planned: record its resolution and "
        "minutes after it. For example, 15 2 2022",
        error_messages={
            "required": "Enter the date of the meeting, or the date it was sent",
            "invalid": "The date of the meeting, or the date it was sent, must be a real date",
            "incomplete": "The date of the meeting, or the date it was sent, must include a "
            "%(missing)s",
        },
    )
    agenda_item = forms.CharField(
        label="Agenda item",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"max_length": "The agenda item must be 100 characters or fewer"},
    )
    resolution = forms.CharField(
        label="Resolution",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Leave it empty for a meeting still to come: you record it after the meeting.",
    )
    minutes = _minutes_field()

    def __init__(self, *args, organisations, bodies, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["body"].queryset = bodies
        self.fields["body"].label_from_instance = _body_label
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda r: (
            f"{r.body}, {date_text(r.meeting_date)}, version {r.version_number}"
        )
        self.fields["minutes"].help_text = _minutes_help(
            "For a meeting still to come, upload them after the meeting."
        )

    def clean_minutes(self):
        return _checked_minutes(self.cleaned_data.get("minutes"))


class DistributionOutcomeForm(forms.Form):
    """The resolution or minutes of a meeting that has taken place, for an entry that lacks
    them; a part already recorded is not offered again."""

    resolution = forms.CharField(
        label="Resolution", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    minutes = _minutes_field()

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        if entry.resolution:
            del self.fields["resolution"]
        if entry.minutes:
            del self.fields["minutes"]
        else:
            self.fields["minutes"].help_text = _minutes_help(
                "If the minutes are not agreed yet, record the resolution now and upload them "
                "later."
            )

    def clean_minutes(self):
        return _checked_minutes(self.cleaned_data.get("minutes"))
