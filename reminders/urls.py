from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("settings/reminders/", views.reminder_settings, name="settings"),
    path(
        "settings/reminders/calendar-address/",
        views.calendar_token_reset,
        name="calendar_token_reset",
    ),
    path("calendar/<str:token>/mine.ics", views.calendar_mine, name="calendar_mine"),
    path(
        "calendar/<str:token>/organisation.ics",
        views.calendar_organisation,
        name="calendar_organisation",
    ),
]
