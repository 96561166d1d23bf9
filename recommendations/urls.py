from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/add/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/edit/", views.complaint_update, name="complaint_update"),
    path(
        "complaints/<int:pk>/recommendations/add/",
        views.recommendation_create,
        name="recommendation_create",
    ),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path(
        "recommendations/<int:pk>/edit/",
        views.recommendation_update,
        name="recommendation_update",
    ),
    path(
        "recommendations/<int:pk>/status/",
        views.recommendation_status,
        name="recommendation_status",
    ),
    path("recommendations/<int:pk>/evidence/add/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("recommendations/<int:pk>/extension/", views.extension_create, name="extension_create"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path(
        "recommendations/<int:pk>/due-date/override/",
        views.deadline_override,
        name="deadline_override",
    ),
    path("tracker/import/", views.tracker_import, name="tracker_import"),
    path("tracker/template.csv", views.tracker_template_csv, name="tracker_template_csv"),
    path("tracker/template.xlsx", views.tracker_template_xlsx, name="tracker_template_xlsx"),
    path("tracker/uploads/<int:pk>/", views.tracker_upload, name="tracker_upload"),
    path("tracker/export.csv", views.tracker_export, name="tracker_export"),
]
