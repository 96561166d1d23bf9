from django.conf import settings


def two_factor(request):
    """``two_factor_off``: base.html warns on every page when the requirement is switched off."""
    return {"two_factor_off": not settings.TWO_FACTOR_REQUIRED}
