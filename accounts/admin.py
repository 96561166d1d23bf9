from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "organisation",
        "team",
        "is_active",
    ]
    list_filter = ["organisation", "groups", "is_active", "is_staff", "sees_all_organisations"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            "Organisation",
            {"fields": ["organisation", "team", "job_title", "sees_all_organisations"]},
        ),
    ]
