from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("population/import/", views.population_import, name="population_import"),
    path("population/uploads/<int:pk>/", views.population_upload, name="population_upload"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/findings/", views.programme_findings, name="programme_findings"),
    path("<int:pk>/draw/", views.sample_draw, name="sample_draw"),
    path("<int:pk>/extend/", views.sample_extend, name="sample_extend"),
    path("<int:pk>/similar-cases/add/", views.substitute_add, name="substitute_add"),
    path("<int:pk>/auditors/", views.programme_auditors, name="programme_auditors"),
    path("<int:pk>/assign/", views.auditors_assign, name="auditors_assign"),
    path("<int:pk>/full-audit/", views.full_audit_create, name="full_audit_create"),
    path("cases/<int:pk>/outcome/", views.outcome_form, name="outcome_form"),
    path("cases/<int:pk>/outcome/check/", views.outcome_check, name="outcome_check"),
    path("cases/<int:pk>/concern/", views.concern_raise, name="concern_raise"),
    path("cases/<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/settle/", views.moderation_settle, name="moderation_settle"),
    path("outcomes/<int:pk>/reopen/", views.outcome_reopen, name="outcome_reopen"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
]
