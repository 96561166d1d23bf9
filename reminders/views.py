"""Reminder settings for each user, and the calendar feeds calendars subscribe to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .calendar import deadlines_calendar
from .forms import ReminderPreferencesForm


@login_required
def reminder_settings(request):
    user = request.user
    form = ReminderPreferencesForm(
        request.POST or None, initial={"reminder_digest": str(user.reminder_digest)}
    )
    if request.method == "POST" and form.is_valid():
        services.reminder_preferences_set(user=user, digest=form.cleaned_data["reminder_digest"])
        messages.success(request, "Your reminder settings have been saved")
        return redirect("reminders:settings")
    feeds = {}
    if user.calendar_token:
        feeds["mine"] = request.build_absolute_uri(
            reverse("reminders:calendar_mine", args=[user.calendar_token])
        )
        if selectors.may_subscribe_to_organisation(user):
            feeds["organisation"] = request.build_absolute_uri(
                reverse("reminders:calendar_organisation", args=[user.calendar_token])
            )
    today = timezone.localdate()
    return render(
        request,
        "reminders/reminder_settings.html",
        {"form": form, "feeds": feeds, "notices": selectors.notices_for(user, at=today)},
    )


@login_required
@require_POST
def calendar_token_reset(request):
    had_token = bool(request.user.calendar_token)
    services.calendar_token_reset(user=request.user)
    messages.success(
        request,
        "Your calendar address has been changed: subscribe again with the new one"
        if had_token
        else "Your calendar address is ready",
    )
    return redirect("reminders:settings")


def _feed(deadlines, *, name):
    response = HttpResponse(
        deadlines_calendar(deadlines, name=name, at=timezone.now()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    # Cache-Control: no-store, from NoStoreMiddleware as on every response: the feed names
    # the council's deadlines, and calendar programs poll it whatever a cache would keep.
    return response


# Calendar programs cannot sign in: the secret token in the address is the credential.
@require_GET
def calendar_mine(request, token):
    user = selectors.feed_user(token)
    if user is None:
        raise Http404
    today = timezone.localdate()
    return _feed(selectors.own_feed_deadlines(user, at=today), name=f"Deadlines: {user}")


@require_GET
def calendar_organisation(request, token):
    user = selectors.feed_user(token)
    if user is None or not selectors.may_subscribe_to_organisation(user):
        raise Http404
    today = timezone.localdate()
    return _feed(
        selectors.organisation_feed_deadlines(user, at=today),
        name=f"Deadlines: {user.organisation}",
    )
