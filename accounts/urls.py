from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/set-up/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/code/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("security/", views.account_security, name="security"),
    path("security/remove/", views.device_remove, name="device_remove"),
]
