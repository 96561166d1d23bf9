from django.urls import path

from . import views

app_name = "remedies"

urlpatterns = [
    path("recommendations/<int:pk>/", views.payment_list, name="payment_list"),
    path("recommendations/<int:pk>/add/", views.payment_add, name="payment_add"),
    path("<int:pk>/edit/", views.payment_update, name="payment_update"),
    path("<int:pk>/paid/", views.payment_paid, name="payment_paid"),
    path("<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("organisations/<int:pk>/totals/", views.organisation_totals, name="organisation_totals"),
]
