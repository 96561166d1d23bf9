"""What the audit pages show, decided here and not in templates: tags, wording, actions.

Pure functions of the objects the reads return and of the user's permissions.
"""

from dataclasses import dataclass

from django.urls import reverse

from recommendations.presentation import Action, Tag

from .listings import role_of
from .models import (
    Answer,
    AuditOutcome,
    AuditProgramme,
    Grade,
    PopulationUpload,
    ProgrammeKind,
    UploadStatus,
)
from .selectors import QUESTIONS, FindingsSummary
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


def percent(share: float | None) -> str:
    """0.375 -> '37.5%'; None -> 'None audited yet'."""
    if share is None:
        return "None audited yet"
    return f"{100 * share:.1f}".removesuffix(".0") + "%"


def threshold_words(threshold_percent) -> str:
    return f"{threshold_percent:f}".rstrip("0").rstrip(".") + "%"


def decision_explanation(threshold: ThresholdResult) -> str:
    """The decision in words, with the rule it follows."""
    rule = threshold_words(threshold.threshold_percent)
    sample = threshold.sample_size
    similar = threshold.with_similar_issues
    match threshold.decision:
        case Decision.TRIGGERED:
            return (
                f"{similar} of the {sample} cases in the sample show similar issues: more than "
                f"{rule} of the sample, whatever the remaining cases show. A full audit is "
                "needed."
            )
        case Decision.CANNOT_TRIGGER:
            return (
                f"Even if all {threshold.remaining} cases still to audit showed similar issues, "
                f"no more than {rule} of the {sample} cases would: a full audit will not be "
                "needed."
            )
        case Decision.NOT_TRIGGERED:
            return (
                f"Every case is audited: {similar} of {sample} show similar issues, which is "
                f"not more than {rule}. No full audit is needed."
            )
    return (
        f"{threshold.audited} of {sample} cases audited, {similar} with similar issues. A full "
        f"audit is needed if more than {rule} of the sample show similar issues."
    )


def interval_words(interval: tuple[float, float] | None) -> str:
    if interval is None:
        return "None audited yet"
    low, high = interval
    return f"{percent(low)} to {percent(high)}"


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
            f"{outcome.other_council_contacted_on:%-d %B %Y}"
            if outcome.other_council_contacted_on
            else "Not answered",
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
    """The sample table's "similar issues" for a ``listings.SampleRow``.

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
    """What a manager who runs the programme may do next (``page``: ``listings.ProgrammePage``)."""
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
                f"{page.unassigned} case{'s' if page.unassigned != 1 else ''} not yet assigned.",
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
    percent = upload.progress_percent
    if upload.status == UploadStatus.QUEUED:
        return "Waiting to start checking the file"
    if upload.status == UploadStatus.WRITING:
        return f"Every row checked: adding the new cases (about {percent}%)"
    return f"Checked {upload.rows_checked:,} rows (about {percent}%)"


def upload_result_text(upload: PopulationUpload) -> str:
    """The counts of a finished import, as the page and the success banner word them."""
    counts = upload.result
    return (
        f"Population imported: {counts['rows']:,} rows, {counts['created']:,} new cases, "
        f"{counts['unchanged']:,} already held"
    )
