from django.contrib import admin
from django.urls import include, path

# Evidence files are never served from a public media URL: views check permission first.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
]
