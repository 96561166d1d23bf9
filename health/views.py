"""The health endpoints, JSON for Docker, a load balancer or monitoring. They carry each check's
name and "ok" or "failing", nothing more: no host, version, error or count that would help an
attacker (the log says why a check fails). ``health.middleware`` answers them."""

import logging

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from .checks import readiness

logger = logging.getLogger(__name__)


def _answer(payload: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    # Answered before the middleware that would add these (health.middleware).
    add_never_cache_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def live(request):
    """The process is up and answering requests; nothing else is checked, since restarting it
    would mend nothing else."""
    return _answer({"status": "ok"})


@require_safe
def ready(request):
    """200 when every check passes (``health.checks.readiness``), 503 otherwise."""
    checks = readiness()
    failing = [name for name, passed in checks.items() if not passed]
    response = _answer(
        {
            "status": "failing" if failing else "ok",
            "checks": {name: "ok" if passed else "failing" for name, passed in checks.items()},
        },
        status=503 if failing else 200,
    )
    if failing:
        logger.warning("Not ready: %s failing", ", ".join(failing))
        # That line says which checks fail; Django's "Service Unavailable" line at each poll
        # would add nothing but noise.
        response._has_been_logged = True
    return response
