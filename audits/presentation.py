"""What the audit pages show, decided here and not in templates: tags, wording, actions.

Pure functions of the objects the reads return and of the user's permissions.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.urls import reverse
from django.utils.text import capfirst

from ombudsman_tracker.formats import counted, date_text, percent
from ombudsman_tracker.presentation import Action, Tag
from recommendations.models import RecommendationKind

from .models import (
    OUTCOME_FIELDS,
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
    Decision.NO_SAMPLE: "grey",
    Decision.NOT_YET_KNOWN: "grey",
    Decision.TRIGGERED: "red",
    Decision.CANNOT_TRIGGER: "green",
    Decision.NOT_TRIGGERED: "green",
}


def decision_tag(threshold: ThresholdResult) -> Tag:
    """Triggered red; cannot trigger and not triggered green; not yet known (or no sample
    drawn yet) grey."""
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
        case Decision.NO_SAMPLE:
            # Nothing is decided yet: an empty sample has not "not triggered" anything.
            return (
                "No sample has been drawn yet, so there is no decision. A full audit will be "
                f"needed if more than {rule} of the sample show similar issues."
            )
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
    field: str  # the outcome form's field that records it


def _question(name: str) -> str:
    return capfirst(str(AuditOutcome._meta.get_field(name).verbose_name))


def answer_text(outcome: AuditOutcome, name: str) -> str:
    """One answer of an outcome, in words ("Not answered" where it is blank)."""
    value = getattr(outcome, name)
    match name:
        case "agencies_involved":
            return agencies_text(value)
        case "other_council_contacted_on":
            return date_text(value, missing="Not answered")
        case "days_to_strategy_discussion":
            return "Not answered" if value is None else counted(value, "day")
        case "grade":
            return grade_label(value)
        case "similar_issues":
            return yes_no(value)
        case "findings" | "learning":
            return value or "None recorded"
    return getattr(outcome, f"get_{name}_display")() or "Not answered"


def outcome_answers(outcome: AuditOutcome) -> list[AnswerRow]:
    """An outcome's answers, question by question in the order the form asks them, for a
    read-only page or the check before submitting."""
    return [AnswerRow(_question(name), answer_text(outcome, name), name) for name in OUTCOME_FIELDS]


@dataclass(frozen=True)
class CheckRow:
    question: str
    answer: str
    change_href: str  # back to the question on the outcome form


def check_answer_rows(outcome: AuditOutcome, *, anchors: dict[str, str]) -> list[CheckRow]:
    """The check-your-answers page's rows: each answer with a "Change" link to its question
    on the form (``anchors``: ``forms.OutcomeForm.anchors``), where the saved draft is shown."""
    form_url = reverse("audits:outcome_form", args=[outcome.sample_case_id])
    return [
        CheckRow(row.question, row.answer, f"{form_url}#{anchors[row.field]}")
        for row in outcome_answers(outcome)
    ]


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


def programme_progress_text(programme: AuditProgramme, threshold: ThresholdResult) -> str:
    """A programme in one line, for a link to it: its kind, deadline, progress and decision.
    ``Sample audit, due 30 April 2022: 4 of 8 cases audited. Not yet known.``"""
    due = f", due {date_text(programme.deadline.due_date)}" if programme.deadline else ""
    if not threshold.sample_size:
        return f"{programme.get_kind_display()}{due}: no sample drawn yet."
    progress = f"{threshold.audited} of {counted(threshold.sample_size, 'case')} audited"
    decision = f" {threshold.decision.label}." if programme.kind == ProgrammeKind.SAMPLE else ""
    return f"{programme.get_kind_display()}{due}: {progress}.{decision}"


def recommendation_audit_actions(recommendation, programmes, *, user) -> list[Action]:
    """What the case audit offers on a recommendation's page, after the recommendation's own
    actions: a link to each of its audits the user may open (``programmes``:
    ``selectors.recommendation_programmes``), and, for a recommendation to audit cases and
    those who run audits, setting up its audit; once it has one, another (with a reason)."""
    actions = [
        Action(
            f"View the audit: {row.programme.title}",
            row.programme.get_absolute_url(),
            programme_progress_text(row.programme, row.threshold),
        )
        for row in programmes
    ]
    if recommendation.kind != RecommendationKind.AUDIT or not user.has_perm(MANAGE):
        return actions
    set_up = f"{reverse('audits:programme_create')}?recommendation={recommendation.pk}"
    if any(row.programme.kind == ProgrammeKind.SAMPLE for row in programmes):
        actions.append(
            Action(
                "Set up another audit",
                set_up,
                "It already has an audit: you will be asked why another is needed.",
            )
        )
    else:
        actions.append(
            Action(
                "Set up the case audit",
                set_up,
                "Its criteria, sample size, threshold, owner and deadline.",
            )
        )
    return actions


def deadline_set_by_text(set_by) -> str:
    """How an audit's deadline was reached: a manager chose the date (``selectors.
    date_set_by``); the Ombudsman stated none of it."""
    return f"A date set by {set_by}" if set_by else "A date set when the audit was set up"


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


def page_shown_text(page, noun: str) -> str:
    """Which of a paginated list's rows a page shows, and where the rest are; empty when one
    page shows them all. ``Showing 26 to 50 of 608 cases. The page links below the table
    show the rest.``"""
    if not page.has_other_pages():
        return ""
    return (
        f"Showing {page.start_index()} to {page.end_index()} of "
        f"{counted(page.paginator.count, noun)}. The page links below the table show the rest."
    )


def written_shown_text(page) -> str:
    """Which of the written findings and learning the programme page quotes
    (``page``: ``selectors.ProgrammePage``); empty when it quotes them all."""
    findings, learning = page.findings.findings, page.findings.learning
    if page.findings_count <= len(findings) and page.learning_count <= len(learning):
        return ""
    return (
        f"Showing the first {counted(len(findings), 'written finding')} of "
        f"{page.findings_count:,} and the first {counted(len(learning), 'learning point')} of "
        f"{page.learning_count:,}, in draw order."
    )


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
