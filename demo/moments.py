"""When things happen in the demo's story: set times on set days, never the clock, so that the
demo loaded for a given day is always the same."""

from datetime import date, datetime, time

from django.utils import timezone


def moment(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock on ``day``, in the council's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))
