"""The second step of signing in, the account security page, and signing out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from ombudsman_tracker.formats import counted

from . import two_factor
from .forms import AuthenticatorCodeForm, SecondFactorCodeForm

# Recovery codes just made, shown once by the next page and then dropped from the session.
FRESH_CODES_SESSION_KEY = "two_factor_fresh_recovery_codes"


def _next_url(request, value=None) -> str:
    """Where to go once done: the ``next`` asked for, if it is on this site; else home."""
    value = value or request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("home")


def _with_next(name, next_url) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _passed(request, device):
    """Mark the session verified, under a new session key (the user now holds more)."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
def two_factor_enrol(request):
    """Set up an authenticator app: scan the QR code (or type the secret), enter a code. The
    first one also makes the recovery codes, shown once on the next page."""
    user, next_url = request.user, _next_url(request)
    if not two_factor.second_factor_passed(request) and two_factor.has_second_factor(user):
        return redirect(_with_next("accounts:two_factor_verify", next_url))
    device = two_factor.authenticator_pending(request.session, user=user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if two_factor.authenticator_confirm(request.session, device=device, code=code):
            _passed(request, device)
            if two_factor.recovery_codes_left(user) == 0:
                codes = two_factor.recovery_codes_make(user=user)
                request.session[FRESH_CODES_SESSION_KEY] = codes
                return redirect(_with_next("accounts:recovery_codes", next_url))
            messages.success(request, "Your authenticator app is set up")
            return redirect(next_url)
        form.add_error(
            "code",
            "The code is not right: check the app shows Ombudsman Tracker and enter the code "
            "it shows now",
        )
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "first": not two_factor.has_second_factor(user),
            "required": two_factor.second_factor_required(user),
            "qr_code": two_factor.qr_code_data_uri(device),
            "secret": two_factor.secret_for_manual_entry(device),
        },
    )


@never_cache
@login_required
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator app or a recovery code,
    or (with JavaScript and a key registered) a security key."""
    user, next_url = request.user, _next_url(request)
    if two_factor.second_factor_passed(request):
        return redirect(next_url)
    if not two_factor.has_second_factor(user):
        if two_factor.second_factor_required(user):
            return redirect(_with_next("accounts:two_factor_enrol", next_url))
        return redirect(next_url)
    form = SecondFactorCodeForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        result = two_factor.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            _passed(request, result.device)
            if result.recovery_codes_left is not None:
                messages.warning(
                    request,
                    f"You used a recovery code: {result.recovery_codes_left} left. "
                    "Make new ones, or set up your authenticator app again, in Account security",
                )
            return redirect(next_url)
        if result.wait_seconds:
            form.add_error(
                "code",
                "Too many wrong codes: wait "
                f"{counted(result.wait_seconds, 'second')}, "
                "then enter the code again",
            )
        else:
            form.add_error(
                "code",
                "The code is not right, or it has been used already: enter the newest code "
                "from your authenticator app, or an unused recovery code",
            )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            "has_security_key": bool(two_factor.devices_of(user)["security_keys"]),
        },
    )


@never_cache
@login_required
def recovery_codes(request):
    """Recovery codes just made (shown this once), or the way to make a new set."""
    if request.method == "POST":
        request.session[FRESH_CODES_SESSION_KEY] = two_factor.recovery_codes_make(user=request.user)
        return redirect(_with_next("accounts:recovery_codes", reverse("accounts:security")))
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": request.session.pop(FRESH_CODES_SESSION_KEY, None),
            "left": two_factor.recovery_codes_left(request.user),
            "next": _next_url(request),
        },
    )


@login_required
def account_security(request):
    return render(
        request,
        "accounts/account_security.html",
        {
            "devices": two_factor.devices_of(request.user),
            "required": two_factor.second_factor_required(request.user),
        },
    )


@login_required
@require_POST
def device_remove(request):
    device = two_factor.own_removable_device(request.user, request.POST.get("device", ""))
    if device is None:
        raise Http404("You have no such authenticator app or security key.")
    two_factor.device_remove(user=request.user, device=device)
    messages.success(request, f"{device.name or 'The security key'} has been removed")
    return redirect("accounts:security")


class SignOutView(LogoutView):
    """Django's sign-out, which answers a GET with an empty 405 (since Django 5): someone
    who follows a bookmark or types the address gets a page instead. Signed in, it asks them
    to sign out with a button; signed out, it says so. Signing out itself stays a POST with
    its CSRF token, so another site cannot sign anyone out."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return render(request, "registration/logout_confirm.html")
        return super().get(request, *args, **kwargs)  # registration/logged_out.html
