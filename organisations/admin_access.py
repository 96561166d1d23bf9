"""What the administration site lets each user see and change.

Council administrators use the admin, so it obeys the app's rules: a user sees only the rows
of the organisations they see (``User.sees_every_organisation``), any other row is a 404 on
every page that takes its id, and records that the app changes through its services are
only shown. Every model admin mixes in ``OrganisationScopedAdmin``; inlines mix in
``OrganisationScopedRows``.
"""

from django.contrib import messages
from django.contrib.admin.utils import lookup_spawns_duplicates, unquote
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect

from ombudsman_tracker.history import ConflictError, conflict_on_duplicate

from .models import Organisation


def organisations_visible_to(user):
    if user.sees_every_organisation:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk=user.organisation_id)


class OrganisationScopedRows:
    """Only the rows of the organisations the user sees, reached by ``organisation_path``
    (None: data every organisation shares). Records can be attached only to those
    organisations, and, except by a superuser, always to one."""

    organisation_path: str | None = "organisation"
    # Rows with no organisation belong to every organisation (shared report bodies).
    includes_shared_rows = False

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        user, path = request.user, self.organisation_path
        if path is None or user.sees_every_organisation:
            return rows
        if user.organisation_id is None:
            return rows.none()
        mine = Q(**{path: user.organisation_id})
        if self.includes_shared_rows:
            mine |= Q(**{f"{path}__isnull": True})
        rows = rows.filter(mine)
        return rows.distinct() if lookup_spawns_duplicates(self.opts, path) else rows

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation and not request.user.is_superuser:
            kwargs["queryset"] = organisations_visible_to(request.user)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganisationScopedAdmin(OrganisationScopedRows):
    """A model admin on ``OrganisationScopedRows``: a row the user may not see is a 404 (not
    the admin's redirect) on its change, delete, history and password pages, saves say in the
    history that they were made here, and a save refused as a conflict (``ConflictError``)
    opens the page again with the reason."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"There is no {self.opts.verbose_name} with that id that you may see.")
        return obj

    def _history_object_check(self, request, object_id):
        """404 unless ``object_id`` names a row the user may see. django-simple-history
        falls back to the history of a row missing from the queryset: only a superuser may
        read a deleted record's history that way, and only by a well-formed id (it would
        pass "x" or a NUL byte to the database, which refuses them with a server error)."""
        if request.user.is_superuser:
            try:
                self.opts.pk.to_python(unquote(object_id))
            except ValidationError:
                raise Http404(f"There is no {self.opts.verbose_name} with that id.") from None
        else:
            self.get_object(request, unquote(object_id))

    def history_view(self, request, object_id, extra_context=None):
        self._history_object_check(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An old version, to read. Its form would save that version over the record,
        around the services, even for a user who may only view: reverting is disabled
        (``SIMPLE_HISTORY_REVERT_DISABLED``), so a POST is refused."""
        self._history_object_check(request, object_id)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        verb = "Changed" if change else "Added"
        obj._change_reason = f"{verb} in the administration site"
        if change:
            super().save_model(request, obj, form, change)
            return
        # The form found no duplicate name, but another administrator may add one meanwhile.
        with conflict_on_duplicate(obj):
            super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as error:
            # Nothing was saved: the page opens again, on the latest version, with the reason.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request, obj):
        obj._change_reason = "Deleted in the administration site"
        super().delete_model(request, obj)


class ViewOnly:
    """Records the app changes through its services, which check versions, write history,
    recompute deadlines and checksum files: the admin only shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SharedReferenceAdmin(OrganisationScopedAdmin):
    """Reference data every council shares: only a superuser changes it, others may look."""

    organisation_path = None

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
