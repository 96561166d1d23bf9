from django.urls import path

from . import views

app_name = "annual_review"

urlpatterns = [
    path("", views.letter_list, name="letter_list"),
    path("add/", views.letter_create, name="letter_create"),
    path("import/", views.letter_import, name="letter_import"),
    path("<int:pk>/", views.letter_detail, name="letter_detail"),
    path("<int:pk>/edit/", views.letter_update, name="letter_update"),
]
