from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.password_reset import LimitedPasswordResetForm
from accounts.views import SignOutView
from recommendations.views import home

# Evidence files are never served from a public media URL: views check permission first.
urlpatterns = [
    path("", home, name="home"),
    path("", include("recommendations.urls")),
    path("audits/", include("audits.urls")),
    path("plans/", include("plans.urls")),
    path("learning/", include("learning.urls")),
    path("submissions/", include("submissions.urls")),
    path("verdicts/", include("verdicts.urls")),
    path("remedies/", include("remedies.urls")),
    path("annual-review/", include("annual_review.urls")),
    path("reports/", include("reports.urls")),
    path("", include("reminders.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    # Django's view, with a form that sends no email past the reset limits.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=LimitedPasswordResetForm),
        name="password_reset",
    ),
    # Django's sign-out, with a page for a GET rather than an empty 405 (accounts.views).
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    # Security keys and passkeys (django-otp-webauthn's ceremonies, called by its script).
    path("webauthn/", include("django_otp_webauthn.urls")),
    # Single sign-on with the council's identity provider: not found unless it is set up.
    path("oidc/", include("mozilla_django_oidc.urls")),
]
