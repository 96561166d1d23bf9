"""Reads of annual letters scoped to the user, for the pages here and for the dashboard and
committee report (``letter_for`` and ``reconciliation.reconcile``).

Who reads them: everyone with the dashboard (managers and administrators, and staff who see
every organisation and may read deadlines, as ``dashboard.selectors.dashboard_allowed`` says,
checked here by the same permissions without importing the dashboard). Who records them: a
manager or administrator (``annual_review.add_annualletter``), for their own organisation.
"""

from django.shortcuts import get_object_or_404

from ombudsman_tracker.financial_years import FinancialYear
from organisations.models import Organisation

from .models import AnnualLetter

RECORD = "annual_review.change_annualletter"


def letters_allowed(user) -> bool:
    """Whether ``user`` may read annual letters: whoever may open the dashboard."""
    if not user.is_authenticated:
        return False
    if user.has_perm("annual_review.view_annualletter") or user.has_perm(
        "dashboard.view_dashboard"
    ):
        return True
    return user.sees_all_organisations and user.has_perm("deadlines.view_deadline")


def organisations_for_letters(user):
    if user.sees_every_organisation:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk=user.organisation_id)


def letters_visible_to(user):
    """The letters of the user's own organisation, or of every one for staff who see them all."""
    letters = AnnualLetter.objects.select_related("organisation")
    if user.sees_every_organisation:
        return letters
    return letters.filter(organisation=user.organisation_id)


def letter_get_for(user, pk) -> AnnualLetter:
    """A letter the user may see, or 404."""
    return get_object_or_404(letters_visible_to(user), pk=pk)


def letters_listed(user):
    """The letters the user may see, newest year first, then by council."""
    return letters_visible_to(user).order_by("-year", "organisation__name")


def letter_for(user, *, organisation, year: FinancialYear) -> AnnualLetter | None:
    """The letter for ``organisation`` and ``year`` if the user may see it, else None: what a
    committee report or the dashboard shows beside ``reconciliation.reconcile``."""
    return letters_visible_to(user).filter(organisation=organisation, year=year.start_year).first()
