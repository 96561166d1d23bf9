from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "manager_name", "manager_email"]
    list_filter = ["organisation"]
    search_fields = ["name", "manager_name"]
