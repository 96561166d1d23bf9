"""Middleware of the project's own: session lifetime and keeping responses out of caches."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.sessions import absolute_timeout_message, session_outlived


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response Django makes: pages and files carry case
    data, and a council PC's browser (or a proxy) must not keep them for the next person.
    Placed after WhiteNoise, whose static files keep their own long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class SessionLifetimeMiddleware:
    """Ends a session ``SESSION_ABSOLUTE_TIMEOUT`` seconds after sign-in, however busy it has
    been (the idle timeout alone would slide for ever), and sends the user to sign in again
    with a message saying why.

    It runs before ``MessageMiddleware`` (so before any second-factor check), so it stores its
    message itself, as that middleware would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and session_outlived(
            session=request.session, at=timezone.now()
        ):
            logout(request)
            response = redirect_to_login(request.get_full_path())
            storage = default_storage(request)
            storage.add(messages.INFO, absolute_timeout_message())
            storage.update(response)
            return response
        return self.get_response(request)
