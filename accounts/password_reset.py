"""Asking for a password reset link, within limits."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm

from .throttling import client_address, password_reset_allowed


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset request, sending no email once an address or an email address has asked
    too often (``password_reset_allowed``).

    Django's form sends the email from ``save``, so the limit is checked there, with the
    request Django's view passes it. The page that follows is the same either way, as it is
    whether or not an account uses the email address: it must not tell a stranger which
    addresses have one, nor that a limit was reached.
    """

    def save(self, *, request=None, **kwargs):
        if password_reset_allowed(
            ip_address=client_address(request) if request else None,
            email=self.cleaned_data["email"],
        ):
            # The link points at SITE_URL, as every email's links do, not at the host the
            # request happened to name.
            site = urlsplit(settings.SITE_URL)
            kwargs |= {"domain_override": site.netloc, "use_https": site.scheme == "https"}
            super().save(request=request, **kwargs)
