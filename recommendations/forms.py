"""Forms for the recommendations pages. They validate input and nothing else: the views pass
``cleaned_data`` to ``recommendations.services``, which make the change."""

from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import User
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor, Extension, ExtensionBasis
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.forms import (
    GovukDateField,
    UnmarkedBoundField,
    VersionField,
    csv_file_field,
    describe_upload,
)
from ombudsman_tracker.uploads import size_in_mb, upload_check
from organisations.models import Organisation, OrganisationKind

from . import services, tracker_csv
from .models import (
    Complaint,
    Finding,
    Ombudsman,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
)
from .selectors import ComplaintState

# --- Filters --------------------------------------------------------------------------------


class ComplaintFilterForm(forms.Form):
    bound_field_class = UnmarkedBoundField

    search = forms.CharField(label="Reference or title", required=False, max_length=200)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )
    status = forms.ChoiceField(
        choices=[("", "Open and closed"), *ComplaintState.CHOICES],
        required=False,
        help_text="Closed: no recommendation left open.",
    )
    overdue = forms.BooleanField(
        label="Only complaints with an overdue recommendation", required=False
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class RecommendationFilterForm(forms.Form):
    bound_field_class = UnmarkedBoundField

    status = forms.ChoiceField(
        choices=[("", "Any status"), *RecommendationStatus.choices], required=False
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )
    overdue = forms.BooleanField(label="Only overdue recommendations", required=False)
    mine = forms.BooleanField(label="Only recommendations I own", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


# --- Complaints -----------------------------------------------------------------------------


class ComplaintForm(forms.ModelForm):
    ombudsman = forms.ModelChoiceField(
        queryset=Ombudsman.objects.all(), widget=forms.RadioSelect, empty_label=None
    )
    organisations = forms.ModelMultipleChoiceField(
        label="Organisations the complaint binds",
        queryset=Organisation.objects.filter(kind=OrganisationKind.COUNCIL),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every council the Ombudsman's report binds: each one keeps its own "
        "recommendations and statutory clocks.",
        error_messages={"required": "Select the organisations the complaint binds"},
    )
    finding = forms.ChoiceField(
        choices=Finding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the Ombudsman's finding"},
    )
    report_date = GovukDateField(label="Date of the report", help_text="For example, 26 11 2021")
    received_date = GovukDateField(
        label="Date received",
        required=False,
        help_text="When the council received the report. Some clocks count from this date.",
    )

    class Meta:
        model = Complaint
        fields = [
            "ombudsman",
            "reference",
            "title",
            "service_area",
            "organisations",
            "finding",
            "is_public_interest_report",
            "report_date",
            "received_date",
            "summary",
        ]
        help_texts = {
            "title": "A short description. Do not include anyone's name.",
            "is_public_interest_report": "The statutory clocks (s30 and s31) are then created "
            "for each organisation bound.",
        }
        error_messages = {
            "reference": {"required": "Enter the Ombudsman's reference"},
            "title": {"required": "Enter a title"},
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["ombudsman"].label_from_instance = lambda o: f"{o.name} ({o.short_name})"
        if not self.instance.pk and (lgsco := Ombudsman.objects.filter(short_name="LGSCO").first()):
            self.fields["ombudsman"].initial = lgsco

    def clean(self):
        data = super().clean()
        if "organisations" in data:
            try:
                services.complaint_organisations_check(
                    user=self.user,
                    organisations=data["organisations"],
                    complaint=self.instance if self.instance.pk else None,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of ``complaint_create`` and ``complaint_update``: the fields
        the user may change."""
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if not self.fields[name].disabled
        }


class ComplaintChangeForm(ComplaintForm):
    """A recorded complaint. Unless the user's access covers every organisation it binds, the
    facts the councils share are read-only (disabled, so what is posted for them is ignored):
    the page lists them above the form, which asks only for the description."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_facts_editable = services.complaint_shared_facts_editable_by(
            self.instance, self.user
        )
        if not self.shared_facts_editable:
            for name in services.COMPLAINT_SHARED_FACTS:
                self.fields[name].disabled = True

    def visible_fields(self):
        """The fields shown as inputs (the error summary links to the first one)."""
        return [field for field in super().visible_fields() if not field.field.disabled]

    def get_context(self):
        context = super().get_context()
        context["fields"] = [
            (field, errors) for field, errors in context["fields"] if not field.field.disabled
        ]
        return context


# --- Recommendations ------------------------------------------------------------------------

RULE_FIELDS = ("counting", "count", "unit", "anchor", "stated_date")


class RecommendationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the organisation the recommendation is for"},
    )
    number = forms.IntegerField(
        label="Number in the Ombudsman's report",
        min_value=1,
        max_value=32767,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"required": "Enter the recommendation's number in the report"},
    )
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="As the Ombudsman worded it.",
        error_messages={"required": "Enter the recommendation"},
    )
    kind = forms.ChoiceField(
        label="Kind of recommendation",
        choices=RecommendationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of recommendation"},
    )
    expected_evidence = forms.CharField(
        label="Evidence the Ombudsman expects",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The recommendation cannot be marked complied without evidence.",
        error_messages={"required": "Enter the evidence the Ombudsman expects"},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="Who makes sure it is done. They must work for the organisation above.",
    )
    counting = forms.ChoiceField(
        label="How is the due date set?",
        choices=[
            (Counting.STATED, "The Ombudsman stated a date"),
            (
                Counting.WITHIN,
                "Within a period of a date (for example within 3 months of the report)",
            ),
            (Counting.BEGINNING_WITH, "A period beginning with a date (the statute's wording)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the due date is set"},
    )
    count = forms.IntegerField(
        label="How many",
        required=False,
        min_value=1,
        max_value=32767,
        help_text="Needed for a period.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"min_value": "The period must be at least 1"},
        bound_field_class=UnmarkedBoundField,
    )
    unit = forms.ChoiceField(
        label="Of what",
        required=False,
        choices=[("", "Select a unit"), *Unit.choices],
        help_text="Needed for a period. Working days skip weekends and England and Wales bank "
        "holidays.",
        bound_field_class=UnmarkedBoundField,
    )
    anchor = forms.ChoiceField(
        label="Counted from",
        required=False,
        choices=[
            (Anchor.REPORT_DATE, "The date of the report"),
            (Anchor.RECEIVED_DATE, "The date the report was received"),
        ],
        widget=forms.RadioSelect,
        help_text="Needed for a period.",
        bound_field_class=UnmarkedBoundField,
    )
    stated_date = GovukDateField(
        label="Date the Ombudsman stated",
        required=False,
        help_text="Needed for a stated date. For example, 26 2 2022",
        bound_field_class=UnmarkedBoundField,
    )

    def __init__(self, *args, complaint: Complaint, user, recommendation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.recommendation = recommendation
        organisations = complaint.organisations.all()
        if not user.sees_every_organisation:
            organisations = organisations.filter(pk=user.organisation_id)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["owner"].queryset = User.objects.filter(
            organisation__in=organisations, is_active=True
        ).select_related("organisation")
        self.fields["owner"].label_from_instance = lambda u: f"{u} ({u.organisation})"
        if recommendation is not None:
            # The organisation is fixed once recorded: its deadline belongs to it.
            self.fields["organisation"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("counting") == Counting.STATED:
            if not data.get("stated_date") and "stated_date" not in self.errors:
                self.add_error("stated_date", "Enter the date the Ombudsman stated")
        elif data.get("counting"):
            if data.get("count") is None and "count" not in self.errors:
                self.add_error("count", "Enter how many days, weeks or months")
            if not data.get("unit"):
                self.add_error("unit", "Select days, weeks, months or working days")
            if not data.get("anchor"):
                self.add_error("anchor", "Select the date the period is counted from")
        organisation, owner = data.get("organisation"), data.get("owner")
        if organisation and owner and owner.organisation_id != organisation.pk:
            self.add_error("owner", f"Select an owner who works for {organisation}")
        number = data.get("number")
        if organisation and number:
            taken = self.complaint.recommendations.filter(organisation=organisation, number=number)
            if self.recommendation is not None:
                taken = taken.exclude(pk=self.recommendation.pk)
            if taken.exists():
                self.add_error(
                    "number",
                    f"Recommendation {number} for {organisation} is already recorded on this "
                    "complaint",
                )
        return data

    @property
    def rule(self) -> dict:
        """The ``rule`` argument of ``recommendation_create`` / ``recommendation_update``."""
        data = self.cleaned_data
        if data["counting"] == Counting.STATED:
            return {"counting": Counting.STATED, "stated_date": data["stated_date"]}
        return {name: data[name] for name in ("counting", "count", "unit", "anchor")}

    @property
    def rule_changed(self) -> bool:
        """Re-applying an unchanged rule would drop an override, so only pass a changed one."""
        return any(name in self.changed_data for name in RULE_FIELDS)

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("number", "text", "kind", "expected_evidence", "owner")
        }

    @staticmethod
    def initial_for(recommendation: Recommendation) -> dict:
        deadline = recommendation.deadline
        stated = deadline.counting == Counting.STATED
        return {
            "organisation": recommendation.organisation_id,
            "number": recommendation.number,
            "text": recommendation.text,
            "kind": recommendation.kind,
            "expected_evidence": recommendation.expected_evidence,
            "owner": deadline.owner_id,
            "counting": deadline.counting,
            "count": deadline.count,
            "unit": deadline.unit,
            "anchor": deadline.anchor if deadline.anchor != Anchor.OTHER_DATE else "",
            "stated_date": deadline.original_due_date if stated else None,
            "version": recommendation.version,
        }


class RecommendationChangeForm(RecommendationForm):
    version = VersionField()


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new status"},
    )
    on = GovukDateField(
        label="Date it happened",
        help_text="For a recommendation complied with, this decides whether it was on time or "
        "late. For example, 26 2 2022",
    )
    reason = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the recommendation's history.",
    )
    version = VersionField()

    def __init__(self, *args, recommendation: Recommendation, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["to_status"].choices = [
            (status, RecommendationStatus(status).label)
            for status in recommendation.allowed_statuses
        ]

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > self.today:
            raise ValidationError("Date it happened must be today or in the past")
        return on


# --- Evidence -------------------------------------------------------------------------------


class EvidenceForm(forms.Form):
    description = forms.CharField(
        max_length=300,
        help_text="What it shows, for example 'Briefing to children's social care staff, "
        "March 2022'.",
        error_messages={"required": "Enter a description of the evidence"},
    )
    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text="Either a file or a link.",
    )
    url = forms.URLField(
        label="Or give a link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A web address starting https://, for example a published committee minute.",
        error_messages={"invalid": "Enter a link in the correct format, like https://example.org"},
    )

    @property
    def max_size(self) -> str:
        return size_in_mb(settings.EVIDENCE_MAX_UPLOAD_BYTES)

    def clean_file(self):
        """The name, the size and the content (see ``ombudsman_tracker.uploads``)."""
        upload = self.cleaned_data.get("file")
        if upload:
            upload_check(
                upload,
                allowed=settings.EVIDENCE_ALLOWED_EXTENSIONS,
                max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES,
            )
        return upload

    def clean_url(self):
        url = self.cleaned_data.get("url", "")
        if url and not url.lower().startswith("https://"):
            raise ValidationError("Enter a link that starts with https://")
        return url

    def clean(self):
        data = super().clean()
        has_file, has_url = bool(data.get("file")), bool(data.get("url"))
        if self.errors.keys() & {"file", "url"}:
            return data
        if has_file and has_url:
            self.add_error("file", "Upload a file or give a link, not both")
        elif not has_file and not has_url:
            self.add_error("file", "Upload a file or give a link")
        return data


# --- Extensions -----------------------------------------------------------------------------


class ExtensionForm(forms.Form):
    new_due_date = GovukDateField(
        label="New due date", help_text="It must be after the current due date."
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for the extension"},
    )
    basis = forms.ChoiceField(
        label="Basis for the extension",
        choices=ExtensionBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the basis for the extension"},
    )
    basis_reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=200,
        help_text="For example the date or reference of the Ombudsman's letter.",
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you agree or refuse the extension"},
    )

    def __init__(self, *args, extension: Extension, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            ("agree", f"Agree: the due date moves to {date_text(extension.new_due_date)}"),
            (
                "refuse",
                f"Refuse: the due date stays {date_text(extension.deadline.due_date)}",
            ),
        ]

    @property
    def agreed(self) -> bool:
        return self.cleaned_data["decision"] == "agree"


# --- Overriding a computed due date ---------------------------------------------------------


class DeadlineOverrideForm(forms.Form):
    due_date = GovukDateField(
        label="New due date",
        help_text="For example, 31 3 2022. Enter the date the rule gives to follow the rule again.",
    )
    reason = forms.CharField(
        label="Why the due date differs from the rule",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example the legal advice it follows. It is shown beside the date and "
        "kept in the history.",
        error_messages={"required": "Enter why the due date differs from the rule"},
    )
    version = VersionField()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Enter why the due date differs from the rule")
        return reason


# --- Tracker import -------------------------------------------------------------------------


class TrackerImportForm(forms.Form):
    file = csv_file_field(
        label="Upload a tracker", holding="with one row per recommendation", workbook=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := describe_upload(
            upload,
            allowed=tracker_csv.uploads.ALLOWED_EXTENSIONS,
            max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES,
        ):
            raise ValidationError(problem)
        return upload
