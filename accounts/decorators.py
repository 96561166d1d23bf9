"""The one way views say who may use them."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def permission_needed(perm: str):
    """Signed-in users holding ``perm`` only: others are sent to sign in, or get a 403.

    Django's ``permission_required(raise_exception=True)`` would give anonymous users a 403
    too; they should be asked to sign in instead.
    """

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied(f"needs the permission {perm}")  # the 403 log's reason
            return view(request, *args, **kwargs)

        checked.permission = perm
        return login_required(checked)

    return decorator
