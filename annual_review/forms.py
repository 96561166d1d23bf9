"""Forms for the annual letters. They validate input and nothing else: the views pass
``cleaned_data`` to ``annual_review.services``."""

from datetime import date

from django import forms

from ombudsman_tracker.financial_years import financial_year, financial_years
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.forms import VersionField, csv_file_field, describe_upload

from .models import FIGURES, AnnualLetter

# The first year offered: the LGSCO has published annual review letters in this form since.
FIRST_YEAR = 2014
MAX_IMPORT_BYTES = 1024 * 1024


def _whole_number(label: str, *, required: bool = True, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={
            "required": f"Enter the number of {label.lower()}",
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} cannot be negative",
        },
    )


class LetterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Council",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Select the council"},
    )
    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        choices=[],
        help_text="The year the letter covers, April to March.",
        error_messages={"required": "Select the financial year"},
    )
    decisions = _whole_number(
        "Decisions", help_text="Complaints the Ombudsman decided in the year."
    )
    upheld = _whole_number("Upheld", help_text="Of those decisions, how many were upheld.")
    compliance_rate = forms.DecimalField(
        label="Compliance rate (%)",
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text="As the letter states it, for example 98 or 97.5. Leave blank if it gives none.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "invalid": "Compliance rate must be a number, for example 98",
            "min_value": "Compliance rate must be 0 or more",
            "max_value": "Compliance rate must be 100 or less",
            "max_decimal_places": "Compliance rate must have no more than 2 decimal places",
            "max_digits": "Compliance rate must be 100 or less",
            "max_whole_digits": "Compliance rate must be 100 or less",
        },
    )
    compliance_outcomes = _whole_number(
        "Compliance outcomes",
        required=False,
        help_text='How many outcomes the rate is of ("98% of 45 outcomes"), if the letter says.',
    )
    satisfactory_remedies = _whole_number(
        "Satisfactory remedies",
        help_text="Upheld cases where the council had provided a satisfactory remedy before the "
        "complaint reached the Ombudsman.",
    )
    version = VersionField(required=False)

    def __init__(
        self, *args, organisations, today: date, letter: AnnualLetter | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        last = financial_year(today).start_year
        self.fields["year"].choices = [
            (year.start_year, f"{year.label} ({date_text(year.start)} to {date_text(year.end)})")
            for year in financial_years(first=FIRST_YEAR, last=last)
        ]
        if letter is not None:
            # A letter's council and year are what it is: change the figures only.
            del self.fields["organisation"]
            del self.fields["year"]
            self.fields["version"].required = True

    @classmethod
    def initial_for(cls, letter: AnnualLetter) -> dict:
        return {name: getattr(letter, name) for name in FIGURES} | {"version": letter.version}

    def figures(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIGURES}


class LetterImportForm(forms.Form):
    file = csv_file_field(
        label="Upload the letters' figures", holding="with a row per council and year"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = describe_upload(upload, allowed=["csv"], max_bytes=MAX_IMPORT_BYTES)
        if problem:
            raise forms.ValidationError(problem)
        return upload
