"""Receivers for Django's own sign-in events and for a user being deactivated.

Deactivation is caught on the model, not in one view, because it happens in the admin's form,
its list action and the shell alike. (``QuerySet.update`` bypasses it; Django refuses an
inactive user's session on its next request all the same.)
"""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .models import User
from .sessions import session_sign_in_record, user_sessions_end


@receiver(user_logged_in, dispatch_uid="accounts.sign_in_time")
def sign_in_time_record(sender, request, user, **kwargs):
    """Starts the session's absolute lifetime."""
    session_sign_in_record(session=request.session, at=timezone.now())


@receiver(user_logged_out, dispatch_uid="accounts.signed_out_message")
def signed_out_message(sender, request, user, **kwargs):
    """Signing out lands on the sign-in page (``LOGOUT_REDIRECT_URL``): say it worked. Silent
    where messages are not yet set up (a session ended by its lifetime says why itself)."""
    if user is not None:
        messages.info(request, "You have signed out", fail_silently=True)


@receiver(pre_save, sender=User, dispatch_uid="accounts.deactivation_noticed")
def deactivation_notice(sender, instance, raw=False, **kwargs):
    instance._deactivated = (
        not raw
        and not instance.is_active
        and instance.pk is not None
        and User.objects.filter(pk=instance.pk, is_active=True).exists()
    )


@receiver(post_save, sender=User, dispatch_uid="accounts.deactivated_sessions_ended")
def deactivated_sessions_end(sender, instance, raw=False, **kwargs):
    """A deactivated user is signed out everywhere at once."""
    if getattr(instance, "_deactivated", False):
        user_sessions_end(user=instance)
        instance._deactivated = False
