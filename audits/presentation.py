"""What the audit pages show, decided here and not in templates: tags, wording, actions.

Pure functions of the objects the reads return and of the user's permissions.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.urls import reverse

from ombudsman_tracker.formats import counted, date_text, percent
from ombudsman_tracker.presentation import Action, Tag
from recommendations.models import RecommendationKind

from .models import (
    Answer,
    AuditOutcome,
    AuditProgramme,
    Grade,
    PopulationUpload,
    ProgrammeKind,
    UploadStatus,
)
from .selectors import MANAGE, QUESTIONS, FindingsSummary, role_of
from .threshold import Decision, ThresholdResult

# The agencies question of the audit instrument: stored value, label.
AGENCIES = [
    ("social_care", "Social care"),
    ("police", "Police"),
    ("health", "Health"),
    ("education", "Education"),
    ("other_council", "The other council"),
]

SAMPLING_METHODS = {
    "sha256-rank-v1": (
        "Every case in the frozen population is given a key: the SHA-256 hash of the seed, "
        "a colon and the case reference. Cases are sorted by key (then by reference) and the "
        "sample is the first cases in that order. Extending the sample takes the next cases "
        "in the same order, so cases already drawn never change. The population checksum is "
        "the SHA-256 hash of the sorted case references, one per line, so a reviewer can "
        "confirm they hold the same population before redrawing."
    ),
}

_DECISION_COLOURS = {
    Decision.NOT_YET_KNOWN: "grey",
    Decision.TRIGGERED: "red",
    Decision.CANNOT_TRIGGER: "green",
    Decision.NOT_TRIGGERED: "green",
}


def decision_tag(threshold: ThresholdResult) -> Tag:
    """Triggered red; cannot trigger and not triggered green; not yet known grey."""
    return Tag(threshold.decision.label, _DECISION_COLOURS[threshold.decision])


def programme_decision_tag(programme: AuditProgramme, threshold: ThresholdResult) -> Tag | None:
    """A sample audit's decision; a full audit audits every case and has no threshold."""
    return decision_tag(threshold) if programme.kind == ProgrammeKind.SAMPLE else None


def draw_size(programme: AuditProgramme, matching: int) -> int:
    """How many of ``matching`` cases a draw takes: a full audit takes them all."""
    if programme.kind == ProgrammeKind.FULL:
        return matching
    return min(matching, programme.target_sample_size)


def threshold_words(threshold_percent: Decimal) -> str:
    """The threshold as the rule says it: 25.00 gives ``25%``, 12.50 gives ``12.5%``."""
    return percent(Fraction(threshold_percent) / 100, places=2)


def rate_text(threshold: ThresholdResult) -> str:
    """The share of the audited cases with similar issues, as the programme page and the
    committee report give it: ``37.5%``, or ``None audited yet``."""
    return percent(threshold.rate, places=1, missing="None audited yet")


def decision_explanation(threshold: ThresholdResult) -> str:
    """The decision in words, with the rule it follows ("more than 25% of the sample"): the
    one wording of the programme page, the full-audit page, the dashboard, the committee
    report and the full-audit email."""
    rule = threshold_words(threshold.threshold_percent)
    sample = counted(threshold.sample_size, "case")
    similar, remaining = threshold.with_similar_issues, threshold.remaining
    match threshold.decision:
        case Decision.TRIGGERED:
            whatever = ", whatever the cases still to audit show" if remaining else ""
            return (
                f"{similar} of the {sample} in the sample show similar issues: more than "
                f"{rule} of the sample{whatever}. A full audit of all cases closed in similar "
                "circumstances is needed."
            )
        case Decision.CANNOT_TRIGGER:
            every = "the" if remaining == 1 else "all"
            return (
                f"Even if {every} {counted(remaining, 'case')} still to audit showed similar "
                f"issues, no more than {rule} of the {sample} would: a full audit will not be "
                "needed."
            )
        case Decision.NOT_TRIGGERED:
            return (
                f"Every case in the sample is audited: {similar} of {threshold.sample_size} "
                f"show similar issues, which is not more than {rule}. No full audit is needed."
            )
    return (
        f"{threshold.audited} of {sample} audited so far, {similar} with similar issues. "
        f"A full audit is needed if more than {rule} of the sample show similar issues."
    )


def interval_words(interval: tuple[float, float] | None) -> str:
    if interval is None:
        return "None audited yet"
    low, high = interval
    return f"{percent(low, places=1)} to {percent(high, places=1)}"


_NOT_STARTED = Tag("Not started", "grey")
_STATUS_TAGS = {"draft": Tag("Draft", "yellow"), "submitted": Tag("Submitted", "green")}


def outcome_tag(outcome: AuditOutcome | None) -> Tag:
    return _STATUS_TAGS[outcome.status] if outcome else _NOT_STARTED


def yes_no(value: bool | None, *, unknown: str = "Not answered") -> str:
    if value is None:
        return unknown
    return "Yes" if value else "No"


def grade_label(value: str) -> str:
    return Grade(value).label if value else "Not graded"


def agencies_text(values) -> str:
    labels = dict(AGENCIES)
    return ", ".join(labels.get(value, value) for value in values) or "None selected"


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str


def outcome_answers(outcome: AuditOutcome) -> list[AnswerRow]:
    """An outcome's answers, question by question, for a read-only page."""

    def question(name):
        return str(AuditOutcome._meta.get_field(name).verbose_name)

    rows = [
        AnswerRow(question(name), getattr(outcome, f"get_{name}_display")() or "Not answered")
        for name in QUESTIONS
    ]
    rows += [
        AnswerRow(question("agencies_involved"), agencies_text(outcome.agencies_involved)),
        AnswerRow(
            question("other_council_contacted_on"),
            date_text(outcome.other_council_contacted_on, missing="Not answered"),
        ),
        AnswerRow(
            question("days_to_strategy_discussion"),
            "Not answered"
            if outcome.days_to_strategy_discussion is None
            else str(outcome.days_to_strategy_discussion),
        ),
        AnswerRow(question("grade"), grade_label(outcome.grade)),
        AnswerRow(question("similar_issues"), yes_no(outcome.similar_issues)),
        AnswerRow("Findings", outcome.findings or "None recorded"),
        AnswerRow("Learning", outcome.learning or "None recorded"),
    ]
    return rows


def similar_issues_cell(row) -> str:
    """The sample table's "similar issues" for a ``selectors.SampleRow``.

    A moderator does not see the first auditor's answer until both are submitted.
    """
    if row.hidden_from_user:
        return "Hidden until you submit your moderation"
    if row.counted is None:
        return "Not yet known"
    settled = row.sample_case.settled_similar_issues is not None
    return yes_no(row.counted.similar_issues) + (" (settled)" if settled else "")


# --- Findings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionCounts:
    question: str
    counts: list[int]  # in the order of Answer


def findings_tables(findings: FindingsSummary) -> dict:
    """The findings summary as rows for tables: questions, grades and agencies."""
    return {
        "answer_labels": Answer.labels,
        "questions": [
            QuestionCounts(
                str(AuditOutcome._meta.get_field(name).verbose_name),
                [findings.answers[name][answer] for answer in Answer.values],
            )
            for name in QUESTIONS
        ],
        "grades": [(Grade(value).label, count) for value, count in findings.grades.items()],
        "agencies": [(label, findings.agencies.get(value, 0)) for value, label in AGENCIES],
    }


# --- Actions --------------------------------------------------------------------------------


def programme_actions(page) -> list[Action]:
    """What a manager who runs the programme may do next (``page``: ``selectors.ProgrammePage``)."""
    if not page.manages:
        return []
    programme: AuditProgramme = page.programme
    pk = programme.pk
    if not programme.is_drawn:
        return [
            Action(
                "Draw the sample",
                reverse("audits:sample_draw", args=[pk]),
                "Freezes the cases matching the criteria and draws the sample from them.",
            ),
            Action("Manage auditors", reverse("audits:programme_auditors", args=[pk])),
        ]
    actions = [
        Action(
            "Extend the sample",
            reverse("audits:sample_extend", args=[pk]),
            "Takes the next cases in the same draw order.",
        ),
        Action(
            "Add a similar case",
            reverse("audits:substitute_add", args=[pk]),
            "Where the criteria found too few cases, with the reason for it.",
        ),
        Action(
            "Manage auditors",
            reverse("audits:programme_auditors", args=[pk]),
            "Add or remove auditors from the council or partner agencies.",
        ),
    ]
    if page.unassigned:
        actions.append(
            Action(
                "Assign auditors",
                reverse("audits:auditors_assign", args=[pk]),
                f"{counted(page.unassigned, 'case')} not yet assigned.",
            )
        )
    if (
        programme.kind == ProgrammeKind.SAMPLE
        and page.threshold.triggers_full_audit
        and page.full_audit is None
    ):
        actions.append(
            Action(
                "Create the full audit",
                reverse("audits:full_audit_create", args=[pk]),
                "The threshold has been triggered: every matching case is to be audited.",
            )
        )
    return actions


def recommendation_audit_actions(recommendation, *, user) -> list[Action]:
    """What the case audit offers on a recommendation's page, after the recommendation's own
    actions: setting up its audit, for a recommendation to audit cases and those who run
    audits."""
    if recommendation.kind != RecommendationKind.AUDIT or not user.has_perm(MANAGE):
        return []
    return [
        Action(
            "Set up the case audit",
            f"{reverse('audits:programme_create')}?recommendation={recommendation.pk}",
            "Its criteria, sample size, threshold, owner and deadline.",
        )
    ]


# --- My audit cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class MyCase:
    sample_case: object
    role: str
    outcome: AuditOutcome | None

    @property
    def tag(self) -> Tag:
        return outcome_tag(self.outcome)

    @property
    def link_text(self) -> str:
        if self.outcome is None:
            return "Record the outcome"
        return "View the outcome" if self.outcome.is_locked else "Continue the outcome"


def my_cases(sample_cases, *, user) -> list[MyCase]:
    """Each assigned case with the user's own outcome (from prefetched ``outcomes``)."""
    rows = []
    for sample_case in sample_cases:
        role = role_of(sample_case, user)
        outcome = next((o for o in sample_case.outcomes.all() if o.role == role), None)
        rows.append(MyCase(sample_case, role.label, outcome))
    return rows


def upload_progress_text(upload: PopulationUpload) -> str:
    """What the upload's page says while the import runs."""
    progress = upload.progress_percent
    if upload.status == UploadStatus.QUEUED:
        return "Waiting to start checking the file"
    if upload.status == UploadStatus.WRITING:
        return f"Every row checked: adding the new cases (about {progress}%)"
    return f"Checked {upload.rows_checked:,} rows (about {progress}%)"


def upload_result_text(upload: PopulationUpload) -> str:
    """The counts of a finished import, as the page and the success banner word them."""
    counts = upload.result
    return (
        f"Population imported: {counts['rows']:,} rows, {counts['created']:,} new cases, "
        f"{counts['unchanged']:,} already held"
    )
