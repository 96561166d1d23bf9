"""Who holds a role: the one place that knows a role is a Django group."""

from .models import User
from .roles import Role


def managers():
    """Active members of the Managers group, of any organisation."""
    return User.objects.filter(groups__name=Role.MANAGER, is_active=True)


def managers_of(organisation):
    """The organisation's own active managers (not those who see every organisation)."""
    return managers().filter(organisation=organisation)


def is_manager(user) -> bool:
    return user.groups.filter(name=Role.MANAGER).exists()
