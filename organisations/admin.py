from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .admin_access import OrganisationScopedAdmin
from .models import Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    """A council administrator changes their own organisation only; only a superuser adds
    or deletes one."""

    organisation_path = "pk"
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        own = obj is None or obj.pk == request.user.organisation_id
        return super().has_change_permission(request, obj) and (own or request.user.is_superuser)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Team)
class TeamAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "organisation", "manager_name", "manager_email"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "manager_name"]
