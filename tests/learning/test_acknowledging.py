"""A member of staff acknowledges a learning point: through their personal link (signed, used
once, expiring), or in the app; once per person per version, and again for a new version."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.urls import reverse

from accounts.roles import Role
from learning import services
from learning.links import SALT, link_token_make, link_token_read
from learning.models import Acknowledgement, AcknowledgementHow, PersonalLink
from learning.services import LinkStatus
from tests.factories import person_added, user_with_role

from .conftest import LATER

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(croydon, front_door):
    return person_added(organisation=croydon, name="Asha Patel", audiences=[front_door])


@pytest.fixture
def link(person, point):
    return PersonalLink.objects.create(
        person=person, learning_version=point.current_version, created_at=LATER
    )


@pytest.fixture
def token(link):
    return link_token_make(link_id=link.pk, at=datetime.now(UTC))


def _url(token):
    return reverse("learning:acknowledge_link", args=[token])


# --- The token ------------------------------------------------------------------------------


def test_a_token_says_its_link_and_when_it_expires(settings):
    settings.LEARNING_LINK_DAYS = 30

    read = link_token_read(link_token_make(link_id=7, at=LATER))

    assert (read.link_id, read.expires_at) == (7, LATER + timedelta(days=30))


@pytest.mark.parametrize(
    "tampered",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(token.split(":")[0], signing.Signer(salt=SALT).sign("x")),
        lambda token: signing.Signer(salt="another.salt").sign_object({"l": 1, "e": 9999999999}),
        lambda token: "not-a-token",
        lambda token: token[:10],
    ],
    ids=["a character changed", "another value", "another salt", "made up", "cut short"],
)
def test_a_tampered_token_is_not_read(tampered):
    assert link_token_read(tampered(link_token_make(link_id=7, at=LATER))) is None


# --- The personal link's page ---------------------------------------------------------------


def test_the_link_shows_the_learning_point_and_nothing_else_without_signing_in(
    client, token, point
):
    response = client.get(_url(token))

    assert response.status_code == 200
    html = response.content.decode()
    assert point.title in html
    assert "Contact the other council on the day of the referral." in html
    assert point.recommendation.complaint.reference not in html
    assert "Asha Patel" not in html
    assert "asha.patel@example.org" not in html
    # No way into the app: no navigation, no link but the page's own.
    assert 'href="/"' not in html
    assert "govuk-service-navigation__list" not in html


def test_confirming_acknowledges_once_and_then_the_link_says_it_was_already_done(
    client, token, person, point, link
):
    confirmed = client.post(_url(token))
    again = client.post(_url(token))
    opened = client.get(_url(token))

    assert confirmed.status_code == 200
    assert "Thank you" in confirmed.content.decode()
    assert again.status_code == opened.status_code == 200
    assert "Already acknowledged" in again.content.decode()
    assert "Already acknowledged" in opened.content.decode()
    [acknowledgement] = Acknowledgement.objects.all()
    assert (acknowledgement.person, acknowledgement.learning_version) == (
        person,
        point.current_version,
    )
    assert (acknowledgement.how, acknowledgement.recorded_by) == (AcknowledgementHow.LINK, None)
    link.refresh_from_db()
    assert link.used_at is not None


def test_an_expired_link_gets_a_clear_page_and_acknowledges_nothing(client, link, settings):
    settings.LEARNING_LINK_DAYS = 30
    token = link_token_make(link_id=link.pk, at=datetime.now(UTC) - timedelta(days=31))

    opened = client.get(_url(token))
    posted = client.post(_url(token))

    assert (opened.status_code, posted.status_code) == (410, 410)
    assert "This link has expired" in posted.content.decode()
    assert not Acknowledgement.objects.exists()


def test_a_link_is_good_until_it_expires(link, settings):
    settings.LEARNING_LINK_DAYS = 30
    token = link_token_make(link_id=link.pk, at=LATER)

    assert services.personal_link_open(token=token, at=LATER + timedelta(days=30)).status == (
        LinkStatus.OPEN
    )
    assert services.personal_link_open(
        token=token, at=LATER + timedelta(days=30, seconds=1)
    ).status == (LinkStatus.EXPIRED)


@pytest.mark.parametrize("value", ["x", "a:b:c", "x" * 300, "eyJsIjoxfQ:1abc:zzzz"])
def test_a_tampered_or_made_up_link_gets_a_clear_page_not_a_server_error(client, value, link):
    response = client.post(_url(value))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_a_token_for_a_link_that_does_not_exist_does_not_work(client, db):
    response = client.get(_url(link_token_make(link_id=999999, at=datetime.now(UTC))))

    assert response.status_code == 404


def test_a_used_link_says_so_even_once_expired(link, token, settings):
    services.personal_link_acknowledge(token=token, at=LATER)

    state = services.personal_link_open(token=token, at=LATER + timedelta(days=400))

    assert state.status == LinkStatus.ALREADY
    assert state.acknowledgement.how == AcknowledgementHow.LINK


def test_a_link_to_an_earlier_version_acknowledges_nothing(client, link, point, manager):
    token = link_token_make(link_id=link.pk, at=datetime.now(UTC))
    services.learning_point_publish(
        learning_point=point,
        version=point.version,
        text="A new text.",
        change_note="Rewritten",
        by=manager,
        at=datetime.now(UTC),
    )

    response = client.post(_url(token))

    assert response.status_code == 410
    assert "The learning has been updated" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_someone_who_attended_is_told_their_link_is_not_needed(link, token, person, point):
    services._acknowledgement_record(
        person=person,
        learning_version=point.current_version,
        how=AcknowledgementHow.APP,
        at=LATER,
    )

    state = services.personal_link_acknowledge(token=token, at=LATER)

    assert state.status == LinkStatus.ALREADY
    assert Acknowledgement.objects.count() == 1


@pytest.mark.usefixtures("force_login_without_second_factor")
def test_a_signed_in_user_without_a_second_factor_can_still_use_their_link(client, token, croydon):
    officer = user_with_role(Role.OFFICER, username="no-second-factor", organisation=croydon)
    client.force_login(officer)

    response = client.get(_url(token))

    assert response.status_code == 200


# --- Once per person per version ------------------------------------------------------------


def test_acknowledging_is_once_per_person_per_version_and_a_new_version_asks_again(
    person, point, manager
):
    first, made = services._acknowledgement_record(
        person=person, learning_version=point.current_version, how="app", at=LATER
    )
    again, made_again = services._acknowledgement_record(
        person=person, learning_version=point.current_version, how="link", at=LATER
    )
    services.learning_point_publish(
        learning_point=point,
        version=point.version,
        text="Version two.",
        change_note="Clearer",
        by=manager,
        at=LATER,
    )
    second, made_second = services._acknowledgement_record(
        person=person, learning_version=point.current_version, how="app", at=LATER
    )

    assert (made, made_again, made_second) == (True, False, True)
    assert again == first
    assert second != first
    assert Acknowledgement.objects.filter(person=person).count() == 2


def test_the_database_refuses_a_second_acknowledgement_of_a_version(person, point):
    from django.db import IntegrityError, transaction

    Acknowledgement.objects.create(
        person=person, learning_version=point.current_version, how="app", at=LATER
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Acknowledgement.objects.create(
            person=person, learning_version=point.current_version, how="link", at=LATER
        )


def test_publishing_the_same_text_again_is_refused(point, manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="same as version 1"):
        services.learning_point_publish(
            learning_point=point,
            version=point.version,
            text=point.current_version.text,
            change_note="Nothing",
            by=manager,
            at=LATER,
        )


def test_publishing_from_a_stale_page_is_a_conflict(point, manager):
    services.learning_point_publish(
        learning_point=point,
        version=point.version,
        text="Two",
        change_note="2",
        by=manager,
        at=LATER,
    )

    with pytest.raises(services.ConflictError):
        services.learning_point_publish(
            learning_point=point, version=point.version - 1, text="Three", change_note="3",
            by=manager, at=LATER,
        )  # fmt: skip


# --- In the app -----------------------------------------------------------------------------


def test_a_user_on_the_lists_acknowledges_in_the_app_once(client, croydon, front_door, point):
    officer = user_with_role(Role.OFFICER, username="asha", organisation=croydon)
    person = person_added(organisation=croydon, audiences=[front_door], user=officer)
    client.force_login(officer)
    url = reverse("learning:acknowledge", args=[point.pk])

    page = client.get(url)
    client.post(url)
    client.post(url)
    after = client.get(url)

    assert "I have read and understood this" in page.content.decode()
    assert "You acknowledged this version on" in after.content.decode()
    [acknowledgement] = Acknowledgement.objects.all()
    assert (acknowledgement.person, acknowledgement.how, acknowledgement.recorded_by) == (
        person,
        AcknowledgementHow.APP,
        officer,
    )


def test_a_user_not_on_the_lists_is_told_there_is_nothing_to_acknowledge(client, manager, point):
    client.force_login(manager)
    url = reverse("learning:acknowledge", args=[point.pk])

    page = client.get(url)
    posted = client.post(url)

    assert "You are not on the audience lists" in page.content.decode()
    assert posted.status_code == 302
    assert not Acknowledgement.objects.exists()
