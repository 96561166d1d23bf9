"""Sending an email from its templates: `<name>_subject.txt`, `<name>.txt` and `<name>.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated(template: str, context: dict, *, to: list[str], cc: list[str] = ()) -> None:
    """Render and send one email with a plain-text and an HTML part; the council's name is
    in every context."""
    context = {"council_name": settings.COUNCIL_NAME, **context}
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"{template}_subject.txt", context).split()),
        body=render_to_string(f"{template}.txt", context),
        to=to,
        cc=[address for address in cc if address],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
