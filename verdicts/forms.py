"""The form for the Ombudsman's reply. It validates what was typed; the rules that need the
recommendation's dates (the letter after the evidence, a new date after the due date) are
``services.verdict_record``'s, shown against the same fields."""

from django import forms
from django.conf import settings

from ombudsman_tracker.forms import GovukDateField, UnmarkedBoundField, VersionField
from ombudsman_tracker.uploads import upload_check

from .models import VerdictKind


class ConditionalDateField(GovukDateField):
    """Needed for one answer only (its hint says which): not marked "(optional)"."""

    bound_field_class = UnmarkedBoundField


class VerdictForm(forms.Form):
    kind = forms.ChoiceField(
        label="What did the Ombudsman decide?",
        choices=VerdictKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the Ombudsman decided"},
    )
    letter_date = GovukDateField(
        label="Date of the Ombudsman's letter", help_text="For example, 15 3 2022"
    )
    letter = forms.FileField(
        label="Upload the Ombudsman's letter",
        required=False,
        help_text="Needed when the Ombudsman is satisfied: the letter of satisfaction.",
    )
    completed_on = ConditionalDateField(
        label="Date the Ombudsman found the council complied",
        required=False,
        help_text="Needed only if the evidence was sent by the due date but the Ombudsman "
        "found the council complied late. For example, 10 3 2022",
    )
    next_steps = forms.CharField(
        label="What the Ombudsman asks the council to do next",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    new_due_date = ConditionalDateField(
        label="New due date the Ombudsman gave",
        required=False,
        help_text="The recommendation's deadline is extended to it. For example, 30 4 2022",
    )
    version = VersionField()

    # Shown under the answer they belong to (GOV.UK conditional reveal).
    CONDITIONAL = {
        VerdictKind.SATISFIED_LATE: ["completed_on"],
        VerdictKind.NOT_SATISFIED: ["next_steps", "new_due_date"],
    }

    def clean_letter(self):
        """The name, the size and the content (see ``ombudsman_tracker.uploads``)."""
        upload = self.cleaned_data.get("letter")
        if upload:
            upload_check(
                upload,
                allowed=settings.EVIDENCE_ALLOWED_EXTENSIONS,
                max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES,
            )
        return upload

    def options(self):
        """Each answer with the fields revealed under it, for the template."""
        kind = self["kind"]
        return [
            (option, [self[name] for name in self.CONDITIONAL.get(option.data["value"], [])])
            for option in kind
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "letter_date": data["letter_date"],
            "letter": data.get("letter") or None,
            "completed_on": data.get("completed_on"),
            "next_steps": data.get("next_steps", ""),
            "new_due_date": data.get("new_due_date"),
        }
