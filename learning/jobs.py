"""The background work of the learning programme, run by the outbox (``outbox.services``):
emailing a personal link. Found by ``OutboxConfig.ready``.

The job claims its ``LinkEmail`` before sending (``services.link_email_claim``: a
compare-and-set on ``sent_at``), so a second delivery of the job sends nothing; a send that
fails releases the claim and raises, so the outbox's retry sends it.
"""

from django.utils import timezone

from outbox.kinds import EMAIL, Kind, kind_register

from . import emails, services


def _link_email(email_id: int) -> None:
    now = timezone.now()
    email = services.link_email_claim(email_id=email_id, at=now)
    if email is None:
        return
    try:
        emails.personal_link_send(email, at=now)
    except Exception:
        services.link_email_release(email_id=email_id)
        raise


kind_register(Kind(name=emails.LINK_EMAIL_JOB, run=_link_email, **EMAIL))
