"""Emails about deadlines. Each is a subject, text and HTML template plus one function here.

Sent by the outbox (``outbox.services``) as the jobs named here (``deadlines.jobs``): recorded
with the change that calls for them, retried while the mail server refuses them.
"""

from django.conf import settings
from django.urls import reverse

from accounts.selectors import managers_of
from ombudsman_tracker.emails import send_templated

# Name of the outbox job that sends the email (stored in its rows: never rename it).
EXTENSION_REQUEST_EMAIL = "deadlines.extension_request_email"


def extension_request_recipients(extension) -> list[str]:
    """The addresses of the managers who decide the request: those of the deadline's own
    organisation (not another council's), but not whoever asked."""
    addresses = (
        managers_of(extension.deadline.organisation_id)
        .exclude(pk=extension.requested_by_id)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(addresses))


def extension_request_send(extension) -> None:
    """Ask the managers to agree or refuse a requested extension, on its decision page.

    The email says what is asked (the deadline, the dates, the basis) and links to the page;
    the reason stays in the app, as officers may write case detail in it.
    """
    recipients = extension_request_recipients(extension)
    if not recipients:
        return
    # The decision page is the recommendations app's, which holds every deadline's extensions.
    url = settings.SITE_URL + reverse("recommendations:extension_decide", args=[extension.pk])
    send_templated(
        "deadlines/emails/extension_request",
        {"extension": extension, "deadline": extension.deadline, "url": url},
        to=recipients,
    )
