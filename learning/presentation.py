"""What the learning pages show, decided here so the templates only lay it out."""

from dataclasses import dataclass

from django.urls import reverse

from ombudsman_tracker.formats import counted


@dataclass(frozen=True)
class Action:
    label: str
    href: str
    hint: str


def point_actions(point, *, user, can_acknowledge: bool) -> list[Action]:
    """The links a learning point's page offers ``user``."""
    pk = point.pk
    actions = []
    if can_acknowledge:
        actions.append(
            Action(
                "Read and acknowledge",
                reverse("learning:acknowledge", args=[pk]),
                "You are on the audience lists for this learning.",
            )
        )
    if user.has_perm("learning.see_coverage"):
        actions.append(
            Action(
                "See who it has reached",
                reverse("learning:coverage", args=[pk]),
                "Per team, with those still to acknowledge.",
            )
        )
    if user.has_perm("learning.send_learning_links"):
        actions.append(
            Action(
                "Email the personal links",
                reverse("learning:links_send", args=[pk]),
                "To everyone not yet sent a link to this version.",
            )
        )
    if user.has_perm("learning.send_learning_reminders"):
        actions.append(
            Action(
                "Remind those outstanding",
                reverse("learning:reminders_send", args=[pk]),
                "Their link again, once a day at most.",
            )
        )
    if user.has_perm("learning.change_learningpoint"):
        actions += [
            Action(
                "Publish a new version",
                reverse("learning:version_publish", args=[pk]),
                "Everyone is asked to acknowledge again.",
            ),
            Action(
                "Change the title or audiences",
                reverse("learning:point_update", args=[pk]),
                "Who it must reach.",
            ),
            Action(
                "Add an attachment",
                reverse("learning:attachment_add", args=[pk]),
                "A briefing note or slides.",
            ),
        ]
    if user.has_perm("learning.view_audience"):
        actions.append(
            Action(
                "Audiences and people",
                reverse("learning:audience_list"),
                "Import the teams and people learning must reach.",
            )
        )
    if user.has_perm("learning.add_deliverysession"):
        actions.append(
            Action(
                "Record a session",
                reverse("learning:session_create", args=[pk]),
                "Then import its attendance list.",
            )
        )
    if user.has_perm("learning.add_followupcheck"):
        actions.append(
            Action(
                "Schedule a follow-up check",
                reverse("learning:follow_up_create", args=[pk]),
                "A re-audit or knowledge check months later.",
            )
        )
    return actions


def hidden_text(shown: int, total: int, noun: str, *, which: str = "latest") -> str:
    """What a bounded list leaves out ("Showing the latest 10 of 12 versions."): "" when it
    shows everything."""
    if total <= shown:
        return ""
    return f"Showing the {which} {shown} of {counted(total, noun)}."
