"""Sign-in lockouts in the administration site, under the project's admin rules.

django-axes' own admin (``AXES_ENABLE_ADMIN`` is off) would show every council's attempts to
anyone with its permissions. Here whoever manages staff (``accounts.change_user``) sees the
lockouts and failed sign-ins of the users they may manage, exactly those the user admin lists
for them, and lifts a lockout by deleting it; a superuser sees every attempt, including those
naming no user. Nothing is edited: the records are what axes saw.
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin

from organisations.admin_access import OrganisationScopedAdmin

from .models import User

MANAGES_STAFF = "accounts.change_user"


class LockoutScopedAdmin(OrganisationScopedAdmin):
    """Rows reached by username: those of the users the user admin shows the editor."""

    organisation_path = None  # scoped by username below

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        users = self.admin_site.get_model_admin(User).get_queryset(request)
        return rows.filter(username__in=users.values("username"))

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGES_STAFF)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGES_STAFF)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(LockoutScopedAdmin, AxesAccessAttemptAdmin):
    """Failed sign-ins counting towards a lockout now. Deleting one lifts the lock."""

    actions = []  # only the admin's own delete: axes' clean-up reaches every council's rows
    fieldsets = [
        (None, {"fields": ["username", "path_info", "failures_since_start", "attempt_time"]}),
        ("Client", {"fields": ["ip_address", "user_agent"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(MANAGES_STAFF)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(LockoutScopedAdmin, AxesAccessFailureLogAdmin):
    """Every failed sign-in, and whether it locked the account: the record of lockouts after
    they have been lifted or run out."""

    def has_delete_permission(self, request, obj=None):
        return False
