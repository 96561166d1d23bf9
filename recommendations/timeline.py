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


def _what(record) -> str:
    return record.history_change_reason or HISTORY_TYPES.get(record.history_type, "Changed")


def _events(records, subject) -> list[Event]:
    return [
        Event(at=r.history_date, who=r.history_user, subject=subject(r), what=_what(r))
        for r in records
    ]


def _newest(history, limit):
    return history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]


def _recommendation_subject(record) -> str:
    return f"Recommendation {record.number} ({record.organisation})"


def _evidence_subject(record) -> str:
    return f"Evidence for recommendation {record.recommendation.number}: {record.description}"


def _extension_subject(record, name: str) -> str:
    return (
        f"Extension of {name} "
        f"from {date_text(record.previous_due_date)} to {date_text(record.new_due_date)}"
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
    # Only what names them: a complaint may have dozens, and their other joins cost per row.
    recommendations = list(
        recommendations_visible_to(user)
        .filter(complaint=complaint)
        .select_related(None)
        .select_related("organisation")
    )
    # A recommendation's deadline is told under the recommendation's name.
    names = {r.deadline_id: _recommendation_subject(r) for r in recommendations}
    deadlines = deadlines_visible_to(user).filter(complaint=complaint).values("pk")
    streams = [
        _events(
            _newest(Complaint.history.filter(id=complaint.pk), limit),
            lambda r: "Complaint",
        ),
        _events(
            _newest(
                Recommendation.history.filter(
                    id__in=[r.pk for r in recommendations]
                ).select_related("organisation"),
                limit,
            ),
            _recommendation_subject,
        ),
        _events(
            _newest(Deadline.history.filter(id__in=deadlines), limit),
            lambda r: names.get(r.id, r.title),
        ),
        _events(
            _newest(
                Evidence.history.filter(
                    recommendation_id__in=[r.pk for r in recommendations]
                ).select_related("recommendation"),
                limit,
            ),
            _evidence_subject,
        ),
        _events(
            _newest(
                Extension.history.filter(deadline_id__in=deadlines).select_related("deadline"),
                limit,
            ),
            lambda r: _extension_subject(r, names.get(r.deadline_id, r.deadline.title)),
        ),
    ]
    return _merged(streams, limit)


def recommendation_timeline(recommendation: Recommendation, *, limit: int = 100) -> list[Event]:
    """The recommendation's events with those of its deadline, evidence and extensions.

    The caller has already checked the user may see the recommendation.
    """
    streams = [
        _events(
            _newest(Recommendation.history.filter(id=recommendation.pk), limit),
            lambda r: "Recommendation",
        ),
        _events(
            _newest(Deadline.history.filter(id=recommendation.deadline_id), limit),
            lambda r: "Recommendation",
        ),
        _events(
            _newest(Evidence.history.filter(recommendation_id=recommendation.pk), limit),
            lambda r: f"Evidence: {r.description}",
        ),
        _events(
            _newest(Extension.history.filter(deadline_id=recommendation.deadline_id), limit),
            lambda r: _extension_subject(r, "the due date"),
        ),
    ]
    return _merged(streams, limit)
