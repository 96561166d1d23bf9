"""What the pages show about a deadline or a recommendation, decided here and not in templates.

Pure functions of the objects, the user's permissions and the date: tested without a browser.
"""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from deadlines.buckets import is_due_soon
from deadlines.models import (
    Deadline,
    DeadlineStatus,
    Extension,
    ExtensionStatus,
    Outcome,
)
from ombudsman_tracker.formats import counted, date_text
from ombudsman_tracker.presentation import Action, Tag

from .models import Recommendation


def tag_html(tag: Tag) -> SafeString:
    """A GOV.UK tag as ``templates/includes/tag.html`` renders it, without a template: the
    tags in long tables are made by the row (an inclusion tag renders a template each)."""
    if tag.colour and tag.colour != "blue":
        return format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>', tag.colour, tag.text
        )
    return format_html('<strong class="govuk-tag">{}</strong>', tag.text)


def deadline_tag(deadline: Deadline, *, at: date) -> Tag:
    """Overdue red, due soon orange, on track green, done grey (not complied red)."""
    outcome = deadline.outcome(at=at)
    match outcome:
        case Outcome.OVERDUE:
            return Tag("Overdue", "red")
        case Outcome.OPEN if is_due_soon(deadline, today=at):
            return Tag("Due soon", "orange")
        case Outcome.OPEN:
            return Tag("On track", "green")
        case Outcome.NOT_COMPLIED:
            return Tag(outcome.label, "red")
        case Outcome.AWAITING:  # never overdue: the council has done its part
            return Tag("Awaiting the Ombudsman", "blue")
    return Tag(outcome.label, "grey")


def recommendation_actions(recommendation: Recommendation, *, user) -> list[Action]:
    """The things ``user`` may do next to the recommendation, in the order they come. (The
    case audit adds its own on the page: ``audits.presentation.recommendation_audit_actions``.)"""
    pk = recommendation.pk
    actions = []
    if user.has_perm("recommendations.add_evidence"):
        actions.append(
            Action(
                "Add evidence",
                reverse("recommendations:evidence_add", args=[pk]),
                "A file or a link showing what was done.",
            )
        )
    # None while the Ombudsman's verdict is awaited: only that verdict changes the status.
    if recommendation.allowed_statuses and user.has_perm(
        "recommendations.change_recommendation_status"
    ):
        actions.append(
            Action(
                "Update the status",
                reverse("recommendations:recommendation_status", args=[pk]),
                "Marking it complied needs evidence first.",
            )
        )
    if recommendation.deadline.status == DeadlineStatus.OPEN:
        if user.has_perm("recommendations.decide_extension"):
            actions.append(
                Action(
                    "Record an agreed extension",
                    reverse("recommendations:extension_create", args=[pk]),
                    "For a later date the Ombudsman agreed in writing.",
                )
            )
        elif user.has_perm("recommendations.request_extension"):
            actions.append(
                Action(
                    "Request an extension",
                    reverse("recommendations:extension_create", args=[pk]),
                    "A manager agrees or refuses it.",
                )
            )
    if may_override(recommendation.deadline, user=user):
        actions.append(
            Action(
                "Override the due date",
                reverse("recommendations:deadline_override", args=[pk]),
                "Set a date other than the rule gives, with the reason.",
            )
        )
    if user.has_perm("recommendations.change_recommendation"):
        actions.append(
            Action(
                "Edit the recommendation",
                reverse("recommendations:recommendation_update", args=[pk]),
                "Its text, owner, expected evidence or deadline rule.",
            )
        )
    return actions


# Managers (and administrators) change deadlines: the same permission lets them override one.
OVERRIDE_PERMISSION = "deadlines.change_deadline"


def may_override(deadline: Deadline, *, user) -> bool:
    """Whether ``user`` may override the deadline's due date: one a rule gives (a stated date
    is corrected on the recommendation's edit page instead)."""
    return user.has_perm(OVERRIDE_PERMISSION) and deadline.computed_due_date is not None


@dataclass(frozen=True)
class ExtensionRow:
    extension: Extension
    can_decide: bool


def extension_rows(extensions, *, user) -> list[ExtensionRow]:
    """Each extension, and whether ``user`` may agree or refuse it now."""
    decides = user.has_perm("recommendations.decide_extension")
    return [
        ExtensionRow(e, can_decide=decides and e.status == ExtensionStatus.REQUESTED)
        for e in extensions
    ]


def extension_requests_waiting_text(count: int) -> str:
    """``1 extension request is waiting for your decision``, ``2 ... are ...``."""
    verb = "is" if count == 1 else "are"
    return f"{counted(count, 'extension request')} {verb} waiting for your decision"


def override_message(deadline: Deadline) -> str:
    """The banner after a due date is overridden, or set back to the rule's date."""
    rule_date = date_text(deadline.computed_due_date)
    if not deadline.override_reason:
        return f"Due date set back to the date the rule gives: {rule_date}"
    message = (
        f"Due date overridden: {date_text(deadline.original_due_date)} (the rule gives {rule_date})"
    )
    if deadline.is_extended:
        message += f". The extension agreed to {date_text(deadline.due_date)} still applies"
    return message


def extension_message(extension: Extension) -> str:
    """The banner after an extension is requested, recorded, agreed or refused."""
    deadline = extension.deadline
    original = date_text(deadline.original_due_date)
    match extension.status:
        case ExtensionStatus.AGREED:
            return (
                f"Extension agreed: now due on {date_text(extension.new_due_date)} "
                f"(originally due on {original})"
            )
        case ExtensionStatus.REFUSED:
            return (
                f"Extension refused: still due on {date_text(deadline.due_date)} "
                f"(originally due on {original})"
            )
    return (
        f"Extension to {date_text(extension.new_due_date)} requested: still due on "
        f"{date_text(deadline.due_date)} until a manager agrees it"
    )
