from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from organisations.admin_access import OrganisationScopedAdmin

from . import (
    lockouts,  # noqa: F401  (registers the sign-in lockouts' admin)
    two_factor,
)
from .models import User
from .roles import Role

# django-otp's own admin pages show every user's authenticator secrets and recovery codes:
# second factors are only reset, from the user's page (UserAdmin.second_factor_reset_view).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


def role_groups():
    """The groups anyone but a superuser may give: the app's roles, never another group."""
    return Group.objects.filter(name__in=Role.values)


class PasswordSetForm(AdminPasswordChangeForm):
    def save(self, commit=True):
        self.user._change_reason = "Password set in the administration site"
        return super().save(commit)


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin, BaseUserAdmin):
    """Staff, managed by their own council's administrators, who can give nobody more than
    the roles: superuser status, permissions, other groups and seeing every organisation
    stay with those who hold them (``manage.py createsuperuser`` makes the first)."""

    change_password_form = PasswordSetForm
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "organisation",
        "team",
        "is_active",
    ]
    list_filter = [
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "groups",
        "is_active",
        "is_staff",
        "sees_all_organisations",
    ]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        (
            "Organisation",
            {"fields": ["organisation", "team", "job_title", "sees_all_organisations"]},
        ),
        (
            "Permissions",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "other_groups",
                    "user_permissions",
                ]
            },
        ),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
        ("Second factor", {"fields": ["second_factor"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Organisation", {"fields": ["organisation", "team", "job_title"]}),
    ]
    readonly_fields = ["other_groups", "second_factor"]

    @admin.display(description="groups other than the roles")
    def other_groups(self, obj):
        """Kept when someone who may give only the roles saves the user."""
        names = obj.groups.exclude(name__in=Role.values).values_list("name", flat=True)
        return ", ".join(names) or "None"

    @admin.display(description="signs in with")
    def second_factor(self, obj):
        described = two_factor.second_factors_described(obj)
        if not described:
            return "No second factor: sets one up at the next sign-in"
        url = reverse("admin:accounts_user_second_factor_reset", args=[obj.pk])
        return format_html(
            '{} (<a href="{}">reset the second factor</a>)', ", ".join(described), url
        )

    def get_urls(self):
        reset = path(
            "<path:object_id>/second-factor-reset/",
            self.admin_site.admin_view(self.second_factor_reset_view),
            name="accounts_user_second_factor_reset",
        )
        return [reset, *super().get_urls()]

    def second_factor_reset_view(self, request, object_id):
        """A user who lost their phone or key: remove their second factors (after a
        confirmation), so they set one up again at their next sign-in. Another council's
        user is a 404, as on every page of the user."""
        user = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            removed = two_factor.second_factor_reset(user=user, by=request.user)
            self.message_user(
                request,
                f"The second factor of {user} has been reset ({removed} removed): they set "
                "one up again at their next sign-in.",
            )
            return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reset the second factor of {user}",
            "opts": self.opts,
            "original": user,
            "devices": two_factor.second_factors_described(user),
        }
        return TemplateResponse(request, "accounts/admin_second_factor_reset.html", context)

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        # Nobody may set the password of, and so become, someone who can do more.
        users = users.filter(is_superuser=False)
        if not request.user.sees_all_organisations:
            users = users.filter(sees_all_organisations=False)
        return users

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
            if not request.user.sees_all_organisations:
                readonly.append("sees_all_organisations")
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            # A box to tick for each role: the two-list filter widget's script gives its search
            # icons an aria-label that their role does not allow (axe: aria-prohibited-attr).
            kwargs["widget"] = forms.CheckboxSelectMultiple
            if not request.user.is_superuser:
                kwargs["queryset"] = role_groups()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """The form shows none of what the editor cannot give; this refuses it all the same,
        should a field ever slip into the form."""
        editor = request.user
        if not editor.is_superuser:
            stored = User.objects.filter(pk=obj.pk).first() or User()
            if obj.is_superuser != stored.is_superuser:
                raise PermissionDenied
            if obj.sees_all_organisations != stored.sees_all_organisations and not (
                editor.sees_all_organisations
            ):
                raise PermissionDenied
            if not editor.acts_for(obj.organisation):
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Gives only the roles, and keeps any other group the user already had."""
        chosen = form.cleaned_data
        if not request.user.is_superuser:
            if "user_permissions" in chosen:
                raise PermissionDenied
            if "groups" in chosen:
                roles = role_groups()
                if set(chosen["groups"]) - set(roles):
                    raise PermissionDenied
                kept = form.instance.groups.exclude(pk__in=roles)
                chosen["groups"] = [*chosen["groups"], *kept]
        super().save_related(request, form, formsets, change)
