from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("new/", views.report_create, name="report_create"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/edit/", views.report_update, name="report_update"),
    path("<int:pk>/issue/", views.report_issue, name="report_issue"),
    path("<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/tables.csv", views.report_csv, name="report_csv"),
    path("distribution/", views.distribution_list, name="distribution_list"),
    path(
        "distribution/complaints/<int:pk>/",
        views.distribution_ledger,
        name="distribution_ledger",
    ),
    path(
        "distribution/complaints/<int:pk>/add/",
        views.distribution_add,
        name="distribution_add",
    ),
    path("distribution/<int:pk>/outcome/", views.distribution_outcome, name="distribution_outcome"),
    path("distribution/<int:pk>/minutes/", views.minutes_download, name="minutes_download"),
    path(
        "complaints/<int:pk>/side-by-side/",
        views.complaint_side_by_side,
        name="complaint_side_by_side",
    ),
    path(
        "complaints/<int:pk>/side-by-side.docx",
        views.complaint_side_by_side_docx,
        name="complaint_side_by_side_docx",
    ),
    path(
        "complaints/<int:pk>/side-by-side.pdf",
        views.complaint_side_by_side_pdf,
        name="complaint_side_by_side_pdf",
    ),
]
