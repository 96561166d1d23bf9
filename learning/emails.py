"""The email of a personal link. A subject, text and HTML template plus one function here.

Sent by the outbox (``outbox.services``) as the job named here (``learning.jobs``): recorded
with the request that asked for it, retried while the mail server refuses it. The email carries
the person's name, the learning point's title and the link: nothing else of the app.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from ombudsman_tracker.emails import send_templated

from .links import link_token_make
from .models import LinkEmailKind

# Name of the outbox job that sends a ``LinkEmail`` (stored in its rows: never rename it).
LINK_EMAIL_JOB = "learning.link_email"


def personal_link_url(*, link_id: int, at: datetime) -> str:
    """The full address of a personal link, signed at ``at`` (so it runs from then)."""
    token = link_token_make(link_id=link_id, at=at)
    return settings.SITE_URL + reverse("learning:acknowledge_link", args=[token])


def personal_link_send(email, *, at: datetime) -> None:
    """Send ``email`` (a ``LinkEmail``): the person's link, in an invitation's or a
    reminder's words, good for ``LEARNING_LINK_DAYS``."""
    link = email.link
    send_templated(
        "learning/emails/personal_link",
        {
            "person": link.person,
            "learning_point": link.learning_version.learning_point,
            "reminder": email.kind == LinkEmailKind.REMINDER,
            "url": personal_link_url(link_id=link.pk, at=at),
            "days": settings.LEARNING_LINK_DAYS,
        },
        to=[link.person.email],
    )
