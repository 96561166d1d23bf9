from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("complaints/<int:pk>/", views.submission_list, name="submission_list"),
    path("complaints/<int:pk>/new/", views.submission_create, name="submission_create"),
    path("<int:pk>/", views.submission_detail, name="submission_detail"),
    path("<int:pk>/edit/", views.submission_update, name="submission_update"),
    path("<int:pk>/check/", views.submission_check, name="submission_check"),
    path("<int:pk>/letter.docx", views.letter_docx, name="letter_docx"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("<int:pk>/evidence.zip", views.evidence_zip, name="evidence_zip"),
]
