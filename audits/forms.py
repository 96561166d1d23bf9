"""Forms for the audit pages. They validate input and nothing else: the views pass
``cleaned_data`` to ``audits.services``, which make the change."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from accounts.models import User
from ombudsman_tracker.forms import GovukBoundField, GovukDateField, VersionField, csv_file_field
from recommendations.selectors import recommendations_visible_to

from .models import OUTCOME_FIELDS, Answer, AuditOutcome, Grade, PopulationCase
from .presentation import AGENCIES
from .selectors import QUESTIONS, sample_audits_of
from .uploads import population_file_check

NUMBER = {"inputmode": "numeric", "class": "govuk-input--width-3"}


def _question(name: str) -> str:
    return str(AuditOutcome._meta.get_field(name).verbose_name)


def _staff_of(organisation):
    return User.objects.filter(organisation=organisation, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# --- Setting up a programme -----------------------------------------------------------------


class ProgrammeForm(forms.Form):
    recommendation = forms.ModelChoiceField(
        queryset=None,
        label="Recommendation the audit answers",
        empty_label="Select a recommendation",
        error_messages={"required": "Select the recommendation the audit answers"},
    )
    title = forms.CharField(
        max_length=200,
        help_text="For example, 'Audit of 50 cross-border child protection cases'.",
        error_messages={"required": "Enter a title"},
    )
    closed_from = GovukDateField(label="Cases closed from", help_text="For example, 1 1 2018")
    closed_to = GovukDateField(label="Cases closed up to", help_text="For example, 26 11 2021")
    cross_border_only = forms.BooleanField(
        label="Only cross-border cases", required=False, initial=True
    )
    presenting_needs = forms.CharField(
        label="Presenting needs",
        required=False,
        max_length=500,
        help_text="Separate needs with commas or semicolons, for example 'sexual exploitation; "
        "missing'. A case matches if it has any of them. Leave blank for any needs.",
    )
    target_sample_size = forms.IntegerField(
        label="Target sample size",
        min_value=1,
        max_value=10000,
        initial=50,
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={"required": "Enter the target sample size"},
    )
    threshold_percent = forms.DecimalField(
        label="Threshold (%)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(25),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        help_text="A full audit is needed if MORE than this share of the sample show similar "
        "issues. Exactly this share does not trigger it.",
        error_messages={"required": "Enter the threshold"},
    )
    moderation_percent = forms.IntegerField(
        label="Cases audited twice for moderation (%)",
        min_value=0,
        max_value=100,
        initial=10,
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={"required": "Enter the share of cases to moderate"},
    )
    owner = forms.ModelChoiceField(
        queryset=None,
        empty_label="Select the owner",
        help_text="Who makes sure the audit is done.",
        error_messages={"required": "Select the owner"},
    )
    due_date = GovukDateField(
        label="Deadline", help_text="When the audit must be finished. For example, 30 4 2022"
    )
    another_audit_reason = forms.CharField(
        label="Why is another audit of this recommendation needed?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="It is kept with the new audit, so readers of both know why there are two.",
        error_messages={"required": "Enter why another audit of this recommendation is needed"},
    )

    # As the page shows them (and so the error summary): the reason below the recommendation.
    field_order = ["recommendation", "another_audit_reason"]

    CRITERIA = [
        "closed_from",
        "closed_to",
        "cross_border_only",
        "presenting_needs",
        "target_sample_size",
        "threshold_percent",
        "moderation_percent",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        recommendations = recommendations_visible_to(user).order_by(
            "complaint__reference", "organisation__name", "number"
        )
        self.fields["recommendation"].queryset = recommendations
        self.fields["recommendation"].label_from_instance = lambda r: (
            f"{r.complaint.reference} recommendation {r.number} ({r.organisation}): {r.text[:60]}"
        )
        owners = User.objects.filter(is_active=True).select_related("organisation")
        if not user.sees_every_organisation:
            owners = owners.filter(organisation=user.organisation_id)
        self.fields["owner"].queryset = owners.order_by("first_name", "last_name", "username")
        # The reason is asked for (and needed) only where the recommendation has an audit.
        self.other_audits = self._other_audits()
        self.fields["another_audit_reason"].required = bool(self.other_audits)

    def _other_audits(self) -> list:
        """The sample audits the chosen (or preselected) recommendation already has."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("recommendation"))
        else:
            value = self.initial.get("recommendation")
        try:
            recommendation = self.fields["recommendation"].clean(value)
        except ValidationError:
            return []
        return list(sample_audits_of(recommendation))

    def clean_presenting_needs(self) -> list[str]:
        # The population import stores needs in lower case, so criteria match them.
        text = self.cleaned_data["presenting_needs"]
        return sorted({need.strip().lower() for need in re.split(r"[,;]", text) if need.strip()})

    def clean(self):
        data = super().clean()
        closed_from, closed_to = data.get("closed_from"), data.get("closed_to")
        if closed_from and closed_to and closed_to < closed_from:
            self.add_error("closed_to", "Cases closed up to must be on or after cases closed from")
        recommendation, owner = data.get("recommendation"), data.get("owner")
        if recommendation and owner and owner.organisation_id != recommendation.organisation_id:
            self.add_error("owner", f"Select an owner who works for {recommendation.organisation}")
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of ``services.programme_create``."""
        names = ["recommendation", "title", "owner", "due_date", *self.CRITERIA]
        fields = {name: self.cleaned_data[name] for name in names}
        if self.other_audits:
            fields["another_audit_reason"] = self.cleaned_data["another_audit_reason"]
        return fields


# --- Managing the sample --------------------------------------------------------------------


class ExtendForm(forms.Form):
    count = forms.IntegerField(
        label="How many more cases?",
        min_value=1,
        max_value=1000,
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={
            "required": "Enter how many more cases to add",
            "min_value": "Add at least 1 case",
        },
    )


class SubstituteForm(forms.Form):
    case_reference = forms.CharField(
        label="Case reference",
        max_length=50,
        help_text="The pseudonymised reference of a case in the imported population.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"required": "Enter the case reference"},
    )
    reason = forms.CharField(
        label="Why is it a similar case?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This is recorded with the sample, so a reviewer sees why it was used.",
        error_messages={"required": "Enter why it is a similar case"},
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_case_reference(self):
        reference = self.cleaned_data["case_reference"].strip()
        organisation = self.programme.recommendation.organisation
        self.case = PopulationCase.objects.filter(
            organisation=organisation, case_reference=reference
        ).first()
        if self.case is None:
            raise ValidationError(
                f"There is no case {reference} in the population of {organisation}: check the "
                "reference, or import the case first"
            )
        return reference


class AuditorAddForm(forms.Form):
    auditor = forms.ModelChoiceField(
        queryset=None,
        label="Auditor to add",
        empty_label="Select an auditor",
        help_text="Staff of the council or a partner agency who may record audit outcomes.",
        error_messages={"required": "Select an auditor to add"},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = candidates
        self.fields["auditor"].label_from_instance = lambda u: (
            f"{u} ({u.organisation or 'no organisation'}{', ' + u.team if u.team else ''})"
        )


class AuditorRemoveForm(forms.Form):
    remove = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = programme.auditors.all()


class ReassignForm(forms.Form):
    auditor = forms.ModelChoiceField(
        queryset=None,
        label="New auditor",
        empty_label="Select an auditor",
        help_text="Nobody audits a case from their own team.",
        error_messages={"required": "Select the new auditor"},
    )

    def __init__(self, *args, sample_case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = sample_case.programme.auditors.exclude(
            pk__in=[sample_case.auditor_id or 0]
        ).select_related("organisation")
        self.fields["auditor"].label_from_instance = lambda u: f"{u} ({u.team or 'no team'})"


class YesNoField(forms.TypedChoiceField):
    """Yes or No radios for a boolean that may still be unanswered (None)."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            **kwargs,
        )

    @staticmethod
    def initial_for(value: bool | None) -> str | None:
        return None if value is None else ("yes" if value else "no")


class SettleForm(forms.Form):
    # selectors.ModerationPair.seen, as the manager saw it: settling on top of a change refuses.
    seen = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "Open the page again: it is out of date"},
    )
    similar_issues = YesNoField(
        label=_question("similar_issues"),
        error_messages={"required": "Select whether the case shows similar issues"},
    )
    grade = forms.ChoiceField(
        label="Overall grade",
        choices=Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the overall grade"},
    )

    CONFLICT = (
        "Someone else settled this case, or one of its outcomes changed, while you had this "
        "page open. Nothing has been saved: check the answers and settle it again."
    )

    @classmethod
    def after_conflict(cls, form: "SettleForm", *, seen: str) -> "SettleForm":
        """The manager's choices again, on top of what is there now, with the reason."""
        data = form.data.copy()
        data[form.add_prefix("seen")] = seen
        rebound = cls(data)
        rebound.is_valid()
        rebound.add_error(None, cls.CONFLICT)
        return rebound


class FullAuditForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=None,
        empty_label="Select the owner",
        help_text="Who makes sure the full audit is done.",
        error_messages={"required": "Select the owner of the full audit"},
    )
    due_date = GovukDateField(
        label="Deadline", help_text="When the full audit must be finished. For example, 31 3 2023"
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff_of(programme.recommendation.organisation)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is the outcome being reopened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept in the outcome's history with the answers as submitted.",
        error_messages={"required": "Enter the reason for reopening the outcome"},
    )


# --- Recording an outcome -------------------------------------------------------------------


class NeededToSubmitBoundField(GovukBoundField):
    """A question a draft may leave blank but a submitted outcome may not: its label is not
    marked "(optional)"; its hint says it is needed to submit."""

    is_optional = False


def _answer_field(name):
    return forms.ChoiceField(
        label=_question(name), choices=Answer.choices, widget=forms.RadioSelect, required=False
    )


CONTACTED_ON = "the date the other council was contacted"


class OutcomeForm(forms.Form):
    """One auditor's answers. Everything may be left blank in a draft; going on to check the
    answers before submitting (``submitting=True``) needs the grade, the similar-issues answer
    and, where the other council was contacted, when.

    The fields are declared in the order the page asks them (``models.OUTCOME_FIELDS``), so
    the error summary lists the errors in that order too.
    """

    strategy_discussion_held = _answer_field("strategy_discussion_held")
    days_to_strategy_discussion = forms.IntegerField(
        label=_question("days_to_strategy_discussion"),
        required=False,
        min_value=0,
        max_value=3650,
        widget=forms.TextInput(attrs=NUMBER),
        help_text="Calendar days. Leave blank if no strategy discussion was held.",
        error_messages={
            "invalid": "Days from referral to strategy discussion must be a whole number",
            "min_value": "Days from referral to strategy discussion must be 0 or more",
            "max_value": "Days from referral to strategy discussion must be 3650 or fewer",
        },
    )
    agencies_involved = forms.MultipleChoiceField(
        label=_question("agencies_involved"),
        choices=AGENCIES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )
    other_council_contacted = _answer_field("other_council_contacted")
    other_council_contacted_on = GovukDateField(
        label=_question("other_council_contacted_on"),
        required=False,
        help_text="Needed to submit if the other council was contacted. For example, 27 3 2019",
        bound_field_class=NeededToSubmitBoundField,
        error_messages={
            "required": f"Enter {CONTACTED_ON}",
            "invalid": f"{capfirst(CONTACTED_ON)} must be a real date",
            "incomplete": f"{capfirst(CONTACTED_ON)} must include a %(missing)s",
        },
    )
    information_shared = _answer_field("information_shared")
    child_seen_and_heard = _answer_field("child_seen_and_heard")
    professional_curiosity = _answer_field("professional_curiosity")
    lead_council_decided = _answer_field("lead_council_decided")
    grade = forms.ChoiceField(
        label=_question("grade"),
        choices=Grade.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="On the Ofsted scale. Needed to submit the outcome.",
        bound_field_class=NeededToSubmitBoundField,
    )
    similar_issues = YesNoField(
        label=_question("similar_issues"),
        required=False,
        help_text="Needed to submit the outcome.",
        bound_field_class=NeededToSubmitBoundField,
    )
    findings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="What the audit found. Do not include anyone's name.",
    )
    learning = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the service should learn from the case.",
    )
    version = VersionField(required=False)

    field_order = [*OUTCOME_FIELDS, "version"]
    QUESTION_FIELDS = QUESTIONS

    def __init__(self, *args, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting

    def clean(self):
        data = super().clean()
        if self.submitting:
            if (
                data.get("other_council_contacted") == Answer.YES
                and not data.get("other_council_contacted_on")
                and "other_council_contacted_on" not in self.errors
            ):
                self.add_error("other_council_contacted_on", f"Enter {CONTACTED_ON}")
            if not data.get("grade") and "grade" not in self.errors:
                self.add_error("grade", "Select the overall grade before submitting")
            if data.get("similar_issues") is None and "similar_issues" not in self.errors:
                self.add_error(
                    "similar_issues",
                    "Select whether the case shows similar issues before submitting",
                )
        return data

    def answers(self) -> dict:
        """The ``answers`` argument of ``services.outcome_save``."""
        return {name: self.cleaned_data[name] for name in OUTCOME_FIELDS}

    @staticmethod
    def initial_for(outcome: AuditOutcome | None) -> dict:
        if outcome is None:
            return {}
        initial = {name: getattr(outcome, name) for name in OUTCOME_FIELDS}
        initial["similar_issues"] = YesNoField.initial_for(outcome.similar_issues)
        initial["version"] = outcome.version
        return initial

    @classmethod
    def anchors(cls) -> dict[str, str]:
        """Each answer's input id on the page (the first radio, the day of a date): where the
        check-your-answers page's "Change" links return to."""
        form = cls()
        return {name: form[name].error_anchor_id for name in OUTCOME_FIELDS}


class OutcomeSubmitForm(forms.Form):
    """The check-your-answers page's submit: the version of the answers the auditor checked,
    so answers changed since (in another tab) are never submitted unseen."""

    version = VersionField(error_messages={"required": "Open the page again: it is out of date"})


# --- Live concerns --------------------------------------------------------------------------


class ConcernForm(forms.Form):
    concern = forms.CharField(
        label="What is the concern?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why you believe a child may be at risk now. The concern stays in this "
        "service: the email to the team manager carries only the case reference and a link.",
        error_messages={"required": "Describe the concern"},
    )
    team_manager_email = forms.EmailField(
        label="Team manager's email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the team manager's email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def __init__(self, *args, known_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["team_manager_email"]
        if known_email:
            field.required = False
            field.help_text = (
                "The manager recorded for the case's team. Change it if someone else should "
                "receive the concern."
            )
        else:
            field.help_text = "No manager is recorded for the case's team."


class ConcernResponseForm(forms.Form):
    response = forms.CharField(
        label="Response",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was done about the concern, and when.",
        error_messages={"required": "Enter the response"},
    )


# --- Population import ----------------------------------------------------------------------


class PopulationImportForm(forms.Form):
    file = csv_file_field(label="Upload the population", holding="from the case-management system")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        population_file_check(upload)  # a CSV by its content, not only by its name
        return upload
