"""Nobody who needs a second factor reaches a page before passing it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .sessions import absolute_timeout_message, session_idle_renew, session_outlived
from .two_factor import allowed_before_second_factor, second_factor_step


class SecondFactorMiddleware:
    """Sends a signed-in user who has not passed the second factor they need to enter a code
    or to set one up, from every page but those that get them there (and signing out).

    It runs as ``process_view``, once the URL is resolved, so the allow-list names views
    rather than paths. Placed after django-otp's OTPMiddleware, which says whether the session
    was verified; the admin is covered like every other page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if allowed_before_second_factor(request):
            return None
        step = second_factor_step(request)
        if step is None:
            return None
        url = reverse(step)
        if request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)


class SessionLifetimeMiddleware:
    """Ends a session ``SESSION_ABSOLUTE_TIMEOUT`` seconds after sign-in, however busy it has
    been (the idle timeout alone would slide for ever), and sends the user to sign in again
    with a message saying why. Otherwise renews the session's idle timeout, at most once every
    ``SESSION_RENEW_AFTER`` seconds (``accounts.sessions.session_idle_renew``).

    It runs before ``MessageMiddleware`` (so before any second-factor check), so it stores its
    message itself, as that middleware would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        at = timezone.now()
        if request.user.is_authenticated and session_outlived(session=request.session, at=at):
            logout(request)
            response = redirect_to_login(request.get_full_path())
            storage = default_storage(request)
            storage.add(messages.INFO, absolute_timeout_message())
            storage.update(response)
            return response
        # Only a request that came with a session: the sign-in page's first visit has none to
        # renew, and reading one would cost a query for nothing.
        if request.session.session_key is not None:
            session_idle_renew(session=request.session, at=at)
        return self.get_response(request)
