"""The health endpoints, answered before any other middleware."""

from . import views

ENDPOINTS = {"/health/live": views.live, "/health/ready": views.ready}


class HealthCheckMiddleware:
    """Answers exactly ``/health/live`` and ``/health/ready``; every other request goes on.

    First in ``MIDDLEWARE``, so before the HTTPS redirect, the ``ALLOWED_HOSTS`` check, sessions,
    sign-in and the second factor: Docker's health check asks over plain HTTP from inside the
    container (``http://127.0.0.1:8000``), which is neither HTTPS nor an allowed host, and a
    load balancer asks by address. That is safe because the answers read nothing from the
    request (no Host header, no cookie, no parameter), change nothing, and say only "ok" or
    "failing" for each check. Every other path gets the full stack as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = ENDPOINTS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        return view(request)
