"""Ombudsmen, organisations and users, as a tracker names them."""

from django.contrib.auth import get_user_model

from organisations.models import Organisation

from ..models import Ombudsman


def name_key(text: str) -> str:
    return " ".join(text.lower().split())


class Lookups:
    """Ombudsmen, organisations and users, each loaded once (no query per row)."""

    def __init__(self):
        self.ombudsmen = {}
        for ombudsman in Ombudsman.objects.all():
            self.ombudsmen[name_key(ombudsman.short_name)] = ombudsman
            self.ombudsmen.setdefault(name_key(ombudsman.name), ombudsman)
        self.organisations = {name_key(o.name): o for o in Organisation.objects.all()}
        self.users_by_username, self.users_by_email = {}, {}
        for user in get_user_model().objects.all():
            self.users_by_username[user.username] = user
            self.users_by_username.setdefault(name_key(user.username), user)
            if user.email:
                self.users_by_email.setdefault(name_key(user.email), []).append(user)

    def ombudsman(self, text: str) -> Ombudsman:
        if ombudsman := self.ombudsmen.get(name_key(text)):
            return ombudsman
        known = ", ".join(sorted(o.short_name for o in set(self.ombudsmen.values())))
        raise ValueError(f"Unknown ombudsman '{text}': use one of {known}.")

    def organisation(self, text: str) -> Organisation:
        if organisation := self.organisations.get(name_key(text)):
            return organisation
        raise ValueError(
            f"There is no organisation called '{text}' in the app. Check the spelling, or ask an "
            "administrator to add it before importing."
        )

    def user(self, text: str):
        user = self.users_by_username.get(text) or self.users_by_username.get(name_key(text))
        if user is None:
            matches = self.users_by_email.get(name_key(text), [])
            if len(matches) > 1:
                raise ValueError(f"More than one user has the email '{text}': give the username.")
            user = matches[0] if matches else None
        if user is None:
            raise ValueError(f"There is no user '{text}' (give a username or an email address).")
        return user  # active or not: an inactive owner may stay, but not be given a new one
