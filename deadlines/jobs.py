"""The background work of deadlines, run by the outbox (``outbox.services``): the email asking
managers to decide an extension. Found by ``OutboxConfig.ready``."""

from outbox.kinds import EMAIL, Kind, kind_register

from . import emails
from .models import Extension, ExtensionStatus


def _extension_request_email(extension_id: int) -> None:
    extension = (
        Extension.objects.select_related(
            "deadline__organisation", "deadline__complaint", "requested_by"
        )
        .filter(pk=extension_id)
        .first()
    )
    # Gone, or decided before the email went: nobody needs asking any more.
    if extension is None or extension.status != ExtensionStatus.REQUESTED:
        return
    emails.extension_request_send(extension)


kind_register(Kind(name=emails.EXTENSION_REQUEST_EMAIL, run=_extension_request_email, **EMAIL))
