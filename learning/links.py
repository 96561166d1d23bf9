"""The signed token in a personal link: which link it is, and until when it may be used.

Signed with the site's secret under a salt of its own (``django.core.signing``), so a token
made for anything else, or changed by a character, is refused. The expiry is in the signed
value, made from the moment the email is sent (``at``): a reminder's link runs
``LEARNING_LINK_DAYS`` from the reminder. Time is a parameter, so tests need no clock.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing

SALT = "learning.personal-link"


@dataclass(frozen=True)
class Token:
    link_id: int
    expires_at: datetime


def link_token_make(*, link_id: int, at: datetime) -> str:
    """A token for link ``link_id``, good for ``LEARNING_LINK_DAYS`` from ``at``."""
    expires = at + timedelta(days=settings.LEARNING_LINK_DAYS)
    return signing.Signer(salt=SALT).sign_object({"l": link_id, "e": int(expires.timestamp())})


def link_token_read(token: str) -> Token | None:
    """What ``token`` says, or None if it was not signed by us for a personal link (tampered,
    cut short, made for something else)."""
    try:
        value = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), int) for k in "le"):
        return None
    return Token(
        link_id=value["l"],
        expires_at=datetime.fromtimestamp(value["e"], tz=UTC),
    )
