"""Signing out: a POST from the button in the header, and a page for anyone who opens the
address itself (a bookmark, a typed URL) instead of Django's empty 405."""

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertInHTML, assertTemplateUsed

LOGOUT, LOGIN = reverse("logout"), reverse("login")
SIGN_OUT_BUTTON = (
    '<button type="submit" class="govuk-button" data-module="govuk-button">Sign out</button>'
)


def test_opening_the_sign_out_address_while_signed_in_offers_a_sign_out_button(client, officer):
    client.force_login(officer)

    response = client.get(LOGOUT)

    assert response.status_code == 200
    assertTemplateUsed(response, "registration/logout_confirm.html")
    assertInHTML(SIGN_OUT_BUTTON, response.content.decode())
    assert f'<form method="post" action="{LOGOUT}">' in response.content.decode()
    # Opening the page signs nobody out: only the button's POST does.
    assert client.session[SESSION_KEY] == str(officer.pk)


def test_the_button_on_that_page_signs_out_and_says_so(client, officer):
    client.force_login(officer)

    response = client.post(LOGOUT, follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assert SESSION_KEY not in client.session
    assertInHTML(
        '<p class="govuk-notification-banner__heading">You have signed out</p>',
        response.content.decode(),
    )


def test_signing_out_without_the_csrf_token_is_refused(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = client.post(LOGOUT)

    assert response.status_code == 403
    assert client.session[SESSION_KEY] == str(officer.pk)


def test_opening_the_sign_out_address_when_not_signed_in_says_you_have_signed_out(client, db):
    response = client.get(LOGOUT)

    assert response.status_code == 200
    assertTemplateUsed(response, "registration/logged_out.html")
    assertInHTML('<h1 class="govuk-heading-l">You have signed out</h1>', response.content.decode())
    assertInHTML(
        f'<a class="govuk-link" href="{LOGIN}">Sign in again</a>', response.content.decode()
    )


def test_someone_half_way_through_signing_in_can_open_the_sign_out_page(
    client, officer, force_login_without_second_factor
):
    """An officer who gave their password but not yet their code reaches nothing but the
    sign-in steps, and signing out."""
    client.force_login(officer)

    response = client.get(LOGOUT)

    assert response.status_code == 200
    assertTemplateUsed(response, "registration/logout_confirm.html")
