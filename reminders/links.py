"""Where in the app a deadline is dealt with, for links in reminders and calendar feeds."""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse


def deadline_url(deadline) -> str:
    """The recommendation, audit programme or live concern behind the deadline, else its
    complaint (statutory clocks are shown on the complaint)."""
    for related in ("recommendation", "audit_programme", "live_concern"):
        try:
            record = getattr(deadline, related)
        except ObjectDoesNotExist:
            continue
        if related == "live_concern":
            return reverse("audits:concern_detail", args=[record.pk])
        return record.get_absolute_url()
    return reverse("recommendations:complaint_detail", args=[deadline.complaint_id])
