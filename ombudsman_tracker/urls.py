from django.contrib import admin
from django.urls import include, path

from recommendations.views import home

# Evidence files are never served from a public media URL: views check permission first.
urlpatterns = [
    path("", home, name="home"),
    path("", include("recommendations.urls")),
    path("audits/", include("audits.urls")),
    path("reports/", include("reports.urls")),
    path("", include("reminders.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
]
