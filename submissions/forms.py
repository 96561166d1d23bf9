"""The prepare form (recommendations, what was done, evidence) and the send form."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms

from ombudsman_tracker.forms import GovukDateField, VersionField

from .services import ItemChoice

PERSONAL_DATA_HINT = (
    "This goes into the letter to the Ombudsman: name nobody the Ombudsman's report does not "
    "name (no officers, no family members), only roles and teams."
)


def evidence_label(evidence) -> str:
    if evidence.file:
        return f"{evidence.description} (file: {PurePosixPath(evidence.file.name).name})"
    return f"{evidence.description} (link: {evidence.url})"


@dataclass(frozen=True)
class RecommendationFields:
    """One recommendation's part of the form, for its fieldset."""

    recommendation: object
    include: forms.BoundField
    done: forms.BoundField
    done_on: forms.BoundField
    evidence: forms.BoundField


class SubmissionForm(forms.Form):
    """For each of the organisation's recommendations: report it or not, what was done, when,
    and which of its evidence to enclose. ``version`` is the draft's, when changing one."""

    version = VersionField(required=False)

    def __init__(self, *args, recommendations, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendations = recommendations
        for recommendation in recommendations:
            name, number = f"r{recommendation.pk}", recommendation.number
            self.fields[f"{name}_include"] = forms.BooleanField(
                label=f"Report recommendation {number}", required=False
            )
            self.fields[f"{name}_done"] = forms.CharField(
                label=f"What was done for recommendation {number}",
                help_text=PERSONAL_DATA_HINT,
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                max_length=4000,
            )
            self.fields[f"{name}_done_on"] = GovukDateField(
                label=f"When recommendation {number} was done",
                help_text="For example, 20 2 2022",
                required=False,
            )
            self.fields[f"{name}_evidence"] = forms.TypedMultipleChoiceField(
                label=f"Evidence to enclose for recommendation {number}",
                help_text="Files go into the zip with their SHA-256; links are listed in its "
                "index. Check each description: it goes into the letter.",
                choices=[(e.pk, evidence_label(e)) for e in recommendation.evidence.all()],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    @classmethod
    def initial_for(cls, submission, items) -> dict:
        initial = {"version": submission.version}
        for item in items:
            name = f"r{item.recommendation.pk}"
            initial |= {
                f"{name}_include": True,
                f"{name}_done": item.what_was_done,
                f"{name}_done_on": item.done_on,
                f"{name}_evidence": [evidence.pk for evidence in item.evidence],
            }
        return initial

    @property
    def groups(self) -> list[RecommendationFields]:
        return [
            RecommendationFields(
                recommendation,
                *(
                    self[f"r{recommendation.pk}_{part}"]
                    for part in ("include", "done", "done_on", "evidence")
                ),
            )
            for recommendation in self.recommendations
        ]

    def clean(self):
        data = super().clean()
        chosen = [r for r in self.recommendations if data.get(f"r{r.pk}_include")]
        if not self.recommendations:
            raise forms.ValidationError(
                "There is no recommendation to report: record the recommendations first"
            )
        if not chosen:
            self.add_error(
                f"r{self.recommendations[0].pk}_include",
                "Choose at least one recommendation to report",
            )
        for recommendation in chosen:
            name, number = f"r{recommendation.pk}", recommendation.number
            if not (data.get(f"{name}_done") or "").strip() and f"{name}_done" not in self.errors:
                self.add_error(f"{name}_done", f"Enter what was done for recommendation {number}")
            if data.get(f"{name}_done_on") is None and f"{name}_done_on" not in self.errors:
                self.add_error(
                    f"{name}_done_on", f"Enter the date recommendation {number} was done"
                )
            if not data.get(f"{name}_evidence") and f"{name}_evidence" not in self.errors:
                self.add_error(
                    f"{name}_evidence",
                    f"Choose the evidence for recommendation {number}",
                )
        return data

    def items(self) -> list[ItemChoice]:
        """The chosen recommendations, for the services."""
        data = self.cleaned_data
        items = []
        for recommendation in self.recommendations:
            name = f"r{recommendation.pk}"
            if not data.get(f"{name}_include"):
                continue
            chosen = set(data[f"{name}_evidence"])
            items.append(
                ItemChoice(
                    recommendation=recommendation,
                    what_was_done=data[f"{name}_done"],
                    done_on=data[f"{name}_done_on"],
                    evidence=[e for e in recommendation.evidence.all() if e.pk in chosen],
                )
            )
        return items


class SendForm(forms.Form):
    """The redaction confirmation, required, and the version the user checked."""

    version = VersionField()
    redaction_confirmed = forms.BooleanField(
        label="I confirm that the evidence files are redacted: they name nobody the "
        "Ombudsman's report does not name",
        help_text="Your confirmation is recorded with the submission: who and when.",
        error_messages={"required": "Confirm that the evidence files are redacted"},
    )
