"""Deadlines as an iCalendar feed, for Outlook and other calendars."""

from datetime import timedelta

from django.conf import settings
from icalendar import Calendar, Event

from ombudsman_tracker.formats import date_text


def deadlines_calendar(deadlines, *, name: str, at) -> bytes:
    """One all-day event per deadline, on its (extended) due date."""
    calendar = Calendar()
    calendar.add("prodid", "-//Ombudsman Tracker//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"deadline-{deadline.pk}@ombudsman-tracker")
        event.add("summary", f"Due: {deadline.title}")
        event.add("dtstart", deadline.due_date)
        event.add("dtend", deadline.due_date + timedelta(days=1))
        event.add("dtstamp", at)
        event.add("url", settings.SITE_URL + deadline.get_absolute_url())
        event.add(
            "description",
            f"{deadline.organisation}. {deadline.get_kind_display()}. "
            f"Status: {deadline.get_status_display()}. {deadline.rule_description}.",
        )
        if deadline.due_date != deadline.original_due_date:
            event.add("comment", f"Extended from {date_text(deadline.original_due_date)}")
        calendar.add_component(event)
    return calendar.to_ical()
