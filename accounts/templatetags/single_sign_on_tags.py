"""What the sign-in page offers: the council's identity provider, local passwords, or both."""

from django import template
from django.conf import settings

from accounts.single_sign_on import single_sign_on_enabled

register = template.Library()


@register.simple_tag
def sign_in_options() -> dict:
    """``{% sign_in_options as sign_in %}``: whether to show the provider's button (and its
    name) and the password form."""
    return {
        "single_sign_on": single_sign_on_enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "local_passwords": settings.LOCAL_PASSWORDS,
    }
