from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("recommendations/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("recommendations/<int:pk>/milestones/add/", views.milestone_add, name="milestone_add"),
    path("recommendations/<int:pk>/baseline/", views.plan_baseline, name="plan_baseline"),
    path("milestones/<int:pk>/edit/", views.milestone_update, name="milestone_update"),
    path("milestones/<int:pk>/done/", views.milestone_complete, name="milestone_complete"),
    path("milestones/<int:pk>/drop/", views.milestone_drop, name="milestone_drop"),
    path("milestones/<int:pk>/reopen/", views.milestone_reopen, name="milestone_reopen"),
    path("complaints/<int:pk>/timeline/", views.complaint_timeline, name="complaint_timeline"),
]
