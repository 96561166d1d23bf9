from django.urls import path

from . import views

app_name = "verdicts"

urlpatterns = [
    path("recommendations/<int:pk>/reply/", views.verdict_record, name="verdict_record"),
    path("<int:pk>/letter/", views.letter_download, name="letter_download"),
]
