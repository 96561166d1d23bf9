"""What happened to a complaint or a recommendation: their history records, merged.

The services set ``history_change_reason`` on every save, so each record says why it was made.
One query per kind of record (complaint, recommendation, deadline, evidence, extension),
whatever the number of events; each kind is capped at ``limit`` so a long history stays cheap.

One save can leave two records that say the same thing: a recommendation and its deadline are
both "Recommendation recorded", and setting a complaint's organisations records the complaint
again. Those are shown once (same subject, reason and user within a second).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from heapq import merge
from itertools import islice

from accounts.models import User
from deadlines.models import Deadline, Extension
from ombudsman_tracker.formats import date_text

from .models import Complaint, Evidence, Recommendation
from .selectors import deadlines_visible_to, recommendations_visible_to

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}
SAME_SAVE = timedelta(seconds=1)


@dataclass(frozen=True)
class Event:
    at: datetime
    who: object  # the user, or None for changes made by the system
    subject: str
    what: str


def _what(row) -> str:
    return row["history_change_reason"] or HISTORY_TYPES.get(row["history_type"], "Changed")


# What an event needs of a history record: its values alone, not the record (a historical
# model has every field of its model, and building a page's hundred records cost more than
# anything else on a complaint's page).
_RECORD = (
    "history_date",
    "history_type",
    "history_change_reason",
    "history_user_id",
    "history_user__username",
    "history_user__first_name",
    "history_user__last_name",
)


class _Users(dict):
    """The users who made the changes, each made once from a record's values."""

    def of(self, row) -> User | None:
        pk = row["history_user_id"]
        if pk is None:
            return None
        if pk not in self:
            self[pk] = User(
                pk=pk,
                username=row["history_user__username"],
                first_name=row["history_user__first_name"],
                last_name=row["history_user__last_name"],
            )
        return self[pk]


def _events(rows, subject, users: _Users) -> list[Event]:
    return [
        Event(at=row["history_date"], who=users.of(row), subject=subject(row), what=_what(row))
        for row in rows
    ]


def _newest(history, limit, *fields):
    return history.order_by("-history_date", "-history_id").values(*_RECORD, *fields)[:limit]


def _recommendation_subject(number, organisation) -> str:
    return f"Recommendation {number} ({organisation})"


def _evidence_subject(row) -> str:
    return f"Evidence for recommendation {row['recommendation__number']}: {row['description']}"


def _extension_subject(row, name: str) -> str:
    return (
        f"Extension of {name} "
        f"from {date_text(row['previous_due_date'])} to {date_text(row['new_due_date'])}"
    )


def _once(events):
    """Drop an event that repeats the one just after it (the same save, recorded twice)."""
    previous = None
    for event in events:
        if not (
            previous
            and (previous.subject, previous.what, previous.who)
            == (event.subject, event.what, event.who)
            and previous.at - event.at < SAME_SAVE
        ):
            yield event
        previous = event


def _merged(streams, limit) -> list[Event]:
    newest_first = merge(*streams, key=lambda event: event.at, reverse=True)
    return list(islice(_once(newest_first), limit))


def complaint_timeline(user, complaint: Complaint, *, limit: int = 100) -> list[Event]:
    """The complaint's events and those of its recommendations, deadlines, evidence and
    extensions that ``user`` may see, newest first."""
    # Only what names them: a complaint may have dozens.
    recommendations = list(
        recommendations_visible_to(user)
        .filter(complaint=complaint)
        .values_list("pk", "deadline_id", "number", "organisation__name")
    )
    pks = [pk for pk, *_ in recommendations]
    # A recommendation's deadline is told under the recommendation's name.
    names = {
        deadline: _recommendation_subject(number, organisation)
        for _, deadline, number, organisation in recommendations
    }
    deadlines = deadlines_visible_to(user).filter(complaint=complaint).values("pk")
    users = _Users()
    streams = [
        _events(
            _newest(Complaint.history.filter(id=complaint.pk), limit),
            lambda row: "Complaint",
            users,
        ),
        _events(
            _newest(
                Recommendation.history.filter(id__in=pks), limit, "number", "organisation__name"
            ),
            lambda row: _recommendation_subject(row["number"], row["organisation__name"]),
            users,
        ),
        _events(
            _newest(Deadline.history.filter(id__in=deadlines), limit, "id", "title"),
            lambda row: names.get(row["id"], row["title"]),
            users,
        ),
        _events(
            _newest(
                Evidence.history.filter(recommendation_id__in=pks),
                limit,
                "description",
                "recommendation__number",
            ),
            _evidence_subject,
            users,
        ),
        _events(
            _newest(
                Extension.history.filter(deadline_id__in=deadlines),
                limit,
                "previous_due_date",
                "new_due_date",
                "deadline_id",
                "deadline__title",
            ),
            lambda row: _extension_subject(
                row, names.get(row["deadline_id"], row["deadline__title"])
            ),
            users,
        ),
    ]
    return _merged(streams, limit)


def recommendation_timeline(recommendation: Recommendation, *, limit: int = 100) -> list[Event]:
    """The recommendation's events with those of its deadline, evidence and extensions.

    The caller has already checked the user may see the recommendation.
    """
    users = _Users()
    streams = [
        _events(
            _newest(Recommendation.history.filter(id=recommendation.pk), limit),
            lambda row: "Recommendation",
            users,
        ),
        _events(
            _newest(Deadline.history.filter(id=recommendation.deadline_id), limit),
            lambda row: "Recommendation",
            users,
        ),
        _events(
            _newest(
                Evidence.history.filter(recommendation_id=recommendation.pk), limit, "description"
            ),
            lambda row: f"Evidence: {row['description']}",
            users,
        ),
        _events(
            _newest(
                Extension.history.filter(deadline_id=recommendation.deadline_id),
                limit,
                "previous_due_date",
                "new_due_date",
            ),
            lambda row: _extension_subject(row, "the due date"),
            users,
        ),
    ]
    return _merged(streams, limit)
