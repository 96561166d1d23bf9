"""What the pages show about a deadline or a recommendation, decided here and not in templates.

Pure functions of the objects, the user's permissions and the date: tested without a browser.
"""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from deadlines.buckets import is_due_soon
from deadlines.models import (
    Deadline,
    DeadlineStatus,
    Extension,
    ExtensionStatus,
    Outcome,
)
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.presentation import Action, Tag

from .models import Recommendation


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
    if user.has_perm("recommendations.change_recommendation_status"):
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
    if user.has_perm("recommendations.change_recommendation"):
        actions.append(
            Action(
                "Edit the recommendation",
                reverse("recommendations:recommendation_update", args=[pk]),
                "Its text, owner, expected evidence or deadline rule.",
            )
        )
    return actions


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
