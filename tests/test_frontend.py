"""The GOV.UK form renderer, the date field and the shared templates."""

import datetime
import re

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import render_to_string
from pytest_django.asserts import assertInHTML, assertNotInHTML

from ombudsman_tracker.forms import GovukDateField, GovukFormRenderer


class ExampleForm(forms.Form):
    default_renderer = GovukFormRenderer

    reference = forms.CharField(label="LGSCO reference", help_text="For example, 23 012 345")
    decided_on = GovukDateField(label="Decision date", help_text="For example, 27 3 2026")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("upheld", "Upheld"), ("not_upheld", "Not upheld")],
        widget=forms.RadioSelect,
    )
    confirmed = forms.BooleanField(label="I have checked the details", required=False)
    evidence = forms.FileField(label="Evidence", required=False)

    def clean(self):
        if self.data.get("reference") == "clash":
            raise forms.ValidationError("This reference is already recorded")
        return super().clean()


# The page title separator, written out so the en dash is not mistaken for a hyphen.
DASH = "\N{EN DASH}"

VALID_DATA = {
    "reference": "23 012 345",
    "decided_on_day": "28",
    "decided_on_month": "2",
    "decided_on_year": "2026",
    "outcome": "upheld",
}


def _render_page(template, context, rf, path="/"):
    request = rf.get(path)
    request.user = AnonymousUser()
    context = {"council_name": "Croydon Council", **context}
    return engines["django"].from_string(template).render(context, request=request)


# --- Form renderer --------------------------------------------------------------------------


def test_settings_use_the_govuk_form_renderer():
    assert settings.FORM_RENDERER == "ombudsman_tracker.forms.GovukFormRenderer"
    assert "django.forms" in settings.INSTALLED_APPS


def test_text_input_has_label_hint_and_describedby():
    html = str(ExampleForm()["reference"].as_field_group())

    assertInHTML('<label class="govuk-label" for="id_reference">LGSCO reference</label>', html)
    assertInHTML(
        '<div id="id_reference-hint" class="govuk-hint">For example, 23 012 345</div>', html
    )
    assertInHTML(
        '<input type="text" name="reference" required id="id_reference" class="govuk-input"'
        ' aria-describedby="id_reference-hint">',
        html,
    )
    assert "govuk-form-group--error" not in html


def test_text_input_in_error_has_error_message_and_describedby_both_ids():
    form = ExampleForm(data={**VALID_DATA, "reference": ""})
    html = str(form["reference"].as_field_group())

    assert html.startswith('<div class="govuk-form-group govuk-form-group--error">')
    assertInHTML(
        '<p id="id_reference-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>',
        html,
    )
    assertInHTML(
        '<input type="text" name="reference" required id="id_reference" aria-invalid="true"'
        ' class="govuk-input govuk-input--error"'
        ' aria-describedby="id_reference-hint id_reference-error">',
        html,
    )


def test_date_input_is_a_group_of_day_month_and_year_inputs():
    html = str(ExampleForm()["decided_on"].as_field_group())

    assertInHTML('<legend class="govuk-fieldset__legend">Decision date</legend>', html)
    fieldset = (
        '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_decided_on-hint">'
    )
    assert fieldset in html
    assertInHTML(
        '<div class="govuk-date-input__item"><div class="govuk-form-group">'
        '<label class="govuk-label govuk-date-input__label" for="id_decided_on_day">Day</label>'
        '<input type="text" name="decided_on_day" id="id_decided_on_day" inputmode="numeric"'
        ' required class="govuk-input govuk-date-input__input govuk-input--width-2">'
        "</div></div>",
        html,
    )
    assertInHTML(
        '<input type="text" name="decided_on_year" id="id_decided_on_year" inputmode="numeric"'
        ' required class="govuk-input govuk-date-input__input govuk-input--width-4">',
        html,
    )


def test_radios_sit_in_a_fieldset_with_the_error_on_the_fieldset():
    form = ExampleForm(data={**VALID_DATA, "outcome": ""})
    html = str(form["outcome"].as_field_group())

    assert '<fieldset class="govuk-fieldset" aria-describedby="id_outcome-error">' in html
    assertInHTML('<legend class="govuk-fieldset__legend">Outcome</legend>', html)
    assertInHTML(
        '<div class="govuk-radios__item">'
        '<input type="radio" name="outcome" value="upheld" id="id_outcome_0" required'
        ' aria-invalid="true" class="govuk-radios__input">'
        '<label class="govuk-label govuk-radios__label" for="id_outcome_0">Upheld</label>'
        "</div>",
        html,
    )
    assert 'data-module="govuk-radios"' in html


def test_boolean_is_a_single_govuk_checkbox_not_marked_optional():
    html = str(ExampleForm()["confirmed"].as_field_group())

    assertInHTML(
        '<div class="govuk-checkboxes" data-module="govuk-checkboxes">'
        '<div class="govuk-checkboxes__item">'
        '<input type="checkbox" name="confirmed" id="id_confirmed" class="govuk-checkboxes__input">'
        '<label class="govuk-label govuk-checkboxes__label" for="id_confirmed">'
        "I have checked the details</label>"
        "</div></div>",
        html,
    )


def test_optional_file_upload_has_a_label_marked_optional():
    html = str(ExampleForm()["evidence"].as_field_group())

    assertInHTML('<label class="govuk-label" for="id_evidence">Evidence (optional)</label>', html)
    assertInHTML(
        '<input type="file" name="evidence" id="id_evidence" class="govuk-file-upload">', html
    )


def test_password_input_uses_the_govuk_password_component_without_autofocus():
    class SignInForm(forms.Form):
        default_renderer = GovukFormRenderer
        password = forms.CharField(widget=forms.PasswordInput(attrs={"autofocus": True}))

    html = str(SignInForm()["password"].as_field_group())

    assert 'data-module="govuk-password-input"' in html
    assert "autofocus" not in html
    assertInHTML(
        '<input type="password" name="password" required id="id_password" spellcheck="false"'
        ' autocapitalize="none"'
        ' class="govuk-input govuk-password-input__input govuk-js-password-input-input">',
        html,
    )


def test_whole_form_renders_every_field_as_a_form_group():
    html = str(ExampleForm())

    assert html.count('<div class="govuk-form-group') == 5 + 3  # fields, plus date parts


# --- GovukDateField -------------------------------------------------------------------------


def test_date_field_accepts_day_month_and_year():
    form = ExampleForm(data=VALID_DATA)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["decided_on"] == datetime.date(2026, 2, 28)


def test_date_field_accepts_single_digits_and_surrounding_spaces():
    form = ExampleForm(data={**VALID_DATA, "decided_on_day": " 1 ", "decided_on_month": "02 "})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["decided_on"] == datetime.date(2026, 2, 1)


def test_date_field_rejects_31_february_as_not_a_real_date():
    form = ExampleForm(data={**VALID_DATA, "decided_on_day": "31"})

    assert not form.is_valid()
    assert form.errors["decided_on"] == ["Decision date must be a real date"]


def test_date_field_shows_what_was_typed_after_a_bad_date():
    form = ExampleForm(data={**VALID_DATA, "decided_on_day": "31"})
    form.is_valid()
    html = str(form["decided_on"].as_field_group())

    assert 'name="decided_on_day" value="31"' in html
    assert 'name="decided_on_month" value="2"' in html
    assert html.count("govuk-input--error") == 3


def test_date_field_names_the_missing_part_and_highlights_only_it():
    form = ExampleForm(data={**VALID_DATA, "decided_on_month": ""})
    form.is_valid()
    html = str(form["decided_on"].as_field_group())

    assert form.errors["decided_on"] == ["Decision date must include a month"]
    assertInHTML(
        '<input type="text" name="decided_on_month" id="id_decided_on_month" inputmode="numeric"'
        ' required aria-invalid="true"'
        ' class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error">',
        html,
    )
    assertInHTML(
        '<input type="text" name="decided_on_day" value="28" id="id_decided_on_day"'
        ' inputmode="numeric" required'
        ' class="govuk-input govuk-date-input__input govuk-input--width-2">',
        html,
    )


def test_date_field_names_two_missing_parts():
    form = ExampleForm(data={**VALID_DATA, "decided_on_day": "", "decided_on_month": ""})

    assert form.errors["decided_on"] == ["Decision date must include a day and month"]


def test_date_field_asks_for_a_four_digit_year():
    form = ExampleForm(data={**VALID_DATA, "decided_on_year": "26"})

    assert form.errors["decided_on"] == ["Year must include 4 numbers"]


def test_date_field_rejects_letters_as_not_a_real_date():
    form = ExampleForm(data={**VALID_DATA, "decided_on_month": "Feb"})

    assert form.errors["decided_on"] == ["Decision date must be a real date"]


def test_empty_required_date_asks_for_the_date_by_its_label():
    data = {k: v for k, v in VALID_DATA.items() if not k.startswith("decided_on")}
    form = ExampleForm(data=data)

    assert form.errors["decided_on"] == ["Enter the decision date"]


def test_empty_optional_date_is_none():
    class OptionalDateForm(forms.Form):
        due = GovukDateField(required=False)

    form = OptionalDateForm(data={"due_day": "", "due_month": "", "due_year": ""})

    assert form.is_valid()
    assert form.cleaned_data["due"] is None


def test_date_field_shows_an_initial_date_in_its_parts():
    form = ExampleForm(initial={"decided_on": datetime.date(2026, 3, 7)})
    html = str(form["decided_on"])

    assert 'name="decided_on_day" value="7"' in html
    assert 'name="decided_on_month" value="3"' in html
    assert 'name="decided_on_year" value="2026"' in html


# --- Error summary and title ----------------------------------------------------------------


def test_error_summary_links_each_error_to_its_input():
    form = ExampleForm(
        data={
            "reference": "clash",
            "decided_on_day": "31",
            "decided_on_month": "2",
            "decided_on_year": "2026",
        }
    )
    form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})

    assert 'data-module="govuk-error-summary"' in html
    assertInHTML('<h2 class="govuk-error-summary__title">There is a problem</h2>', html)
    assertInHTML('<li><a href="#id_reference">This reference is already recorded</a></li>', html)
    assertInHTML(
        '<li><a href="#id_decided_on_day">Decision date must be a real date</a></li>', html
    )
    assertInHTML('<li><a href="#id_outcome_0">This field is required.</a></li>', html)


def test_error_summary_renders_nothing_for_a_valid_form():
    form = ExampleForm(data=VALID_DATA)
    form.is_valid()

    assert render_to_string("includes/error_summary.html", {"form": form}).strip() == ""


def test_page_with_form_errors_has_error_prefix_and_summary(rf):
    form = ExampleForm(data={**VALID_DATA, "reference": ""})
    html = _render_page(
        '{% extends "base.html" %}{% block title %}Add a decision{% endblock %}',
        {"form": form},
        rf,
    )

    assert (
        f"<title>Error: Add a decision {DASH} Ombudsman Tracker {DASH} Croydon Council</title>"
        in html
    )
    assert 'class="govuk-error-summary"' in html


def test_page_without_errors_has_plain_title(rf):
    html = _render_page(
        '{% extends "base.html" %}{% block title %}Add a decision{% endblock %}',
        {"form": ExampleForm()},
        rf,
    )

    assert f"<title>Add a decision {DASH} Ombudsman Tracker {DASH} Croydon Council</title>" in html
    assert "govuk-error-summary" not in html


# --- Page template --------------------------------------------------------------------------


def test_base_page_has_no_inline_script_or_style(rf):
    html = _render_page(
        '{% extends "base.html" %}{% block content %}<p>Hi</p>{% endblock %}', {}, rf
    )

    assert re.findall(r"<script\b[^>]*>", html) == [
        '<script type="module" src="/static/js/main.mjs">'
    ]
    assert "<style" not in html
    assert " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers


def test_base_page_has_generic_header_with_council_name_and_no_crown(rf):
    html = _render_page('{% extends "base.html" %}', {}, rf)

    assertInHTML(
        '<a href="/" class="govuk-generic-header__homepage-link">Croydon Council</a>', html
    )
    assert "govuk-header__logotype" not in html
    assert "crown" not in html.lower()
    assert '<html lang="en" class="govuk-template">' in html
    assertInHTML(
        '<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">'
        "Skip to main content</a>",
        html,
    )
    assert '<main class="govuk-main-wrapper" id="main-content">' in html


def test_service_navigation_marks_the_current_item(rf):
    navigation = [
        {"label": "Home", "href": "/", "current": False},
        {"label": "Recommendations", "href": "/recommendations/", "current": True},
    ]
    html = _render_page('{% extends "base.html" %}', {"service_navigation": navigation}, rf)

    assertInHTML(
        '<a class="govuk-service-navigation__link" href="/recommendations/" aria-current="page">'
        '<strong class="govuk-service-navigation__active-fallback">Recommendations</strong></a>',
        html,
    )
    assertInHTML('<a class="govuk-service-navigation__link" href="/">Home</a>', html)


def test_signed_in_user_gets_sign_out_as_a_post_form(rf, django_user_model):
    request = rf.get("/")
    request.user = django_user_model(username="jo", first_name="Jo", last_name="Bloggs")
    html = (
        engines["django"]
        .from_string('{% extends "base.html" %}')
        .render({"council_name": "Croydon Council"}, request=request)
    )

    assert "Signed in as <strong>Jo Bloggs</strong>" in html
    sign_out = 'class="app-account-navigation__form" method="post" action="/accounts/logout/"'
    assert f"<form {sign_out}>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assertInHTML(
        '<a class="govuk-link govuk-link--no-visited-state" href="/accounts/password_change/">'
        "Change password</a>",
        html,
    )


def test_success_message_is_a_success_notification_banner(rf):
    messages = [Message(message_levels.SUCCESS, "Recommendation completed")]
    html = _render_page(
        '{% extends "base.html" %}',
        {"messages": messages, "DEFAULT_MESSAGE_LEVELS": message_levels.DEFAULT_LEVELS},
        rf,
    )

    assert (
        '<div class="govuk-notification-banner govuk-notification-banner--success" role="alert"'
        ' aria-labelledby="govuk-notification-banner-title-1"'
    ) in html
    assertInHTML('<p class="govuk-notification-banner__heading">Recommendation completed</p>', html)


def test_other_messages_are_important_notification_banners(rf):
    messages = [Message(message_levels.WARNING, "The deadline has passed")]
    html = _render_page(
        '{% extends "base.html" %}',
        {"messages": messages, "DEFAULT_MESSAGE_LEVELS": message_levels.DEFAULT_LEVELS},
        rf,
    )

    assert '<div class="govuk-notification-banner" role="region"' in html
    assertInHTML(
        '<h2 class="govuk-notification-banner__title" id="govuk-notification-banner-title-1">'
        "Important</h2>",
        html,
    )


def test_server_error_page_renders_without_any_context():
    html = render_to_string("500.html")

    assert (
        f"<title>Sorry, there is a problem with the service {DASH} Ombudsman Tracker</title>"
        in html
    )
    assert "govuk-generic-header" not in html  # no council name without context processors


# --- Includes -------------------------------------------------------------------------------


def test_pagination_keeps_other_query_parameters(rf):
    page = Paginator(range(100), 10).page(5)
    html = _render_page(
        '{% include "includes/pagination.html" %}',
        {"page_obj": page},
        rf,
        path="/recommendations/?status=open&page=5",
    )

    assert 'href="?status=open&amp;page=4" rel="prev"' in html
    assert 'href="?status=open&amp;page=6" rel="next"' in html
    assertInHTML(
        '<a class="govuk-link govuk-pagination__link" href="?status=open&amp;page=5"'
        ' aria-label="Page 5" aria-current="page">5</a>',
        html,
    )
    assert [int(n) for n in re.findall(r'aria-label="Page (\d+)"', html)] == [1, 4, 5, 6, 10]
    assert html.count("govuk-pagination__item--ellipsis") == 2


def test_pagination_renders_nothing_for_one_page(rf):
    page = Paginator(range(5), 10).page(1)

    assert (
        _render_page('{% include "includes/pagination.html" %}', {"page_obj": page}, rf).strip()
        == ""
    )


def test_breadcrumbs_list_links_in_order():
    items = [{"label": "Home", "href": "/"}, {"label": "Recommendations", "href": "/r/"}]
    html = render_to_string("includes/breadcrumbs.html", {"items": items})

    assertInHTML(
        '<ol class="govuk-breadcrumbs__list">'
        '<li class="govuk-breadcrumbs__list-item">'
        '<a class="govuk-breadcrumbs__link" href="/">Home</a></li>'
        '<li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="/r/">'
        "Recommendations</a></li></ol>",
        html,
    )


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ("red", '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'),
        ("blue", '<strong class="govuk-tag">Overdue</strong>'),
        ("", '<strong class="govuk-tag">Overdue</strong>'),
    ],
)
def test_tag_colour(colour, expected):
    html = render_to_string("includes/tag.html", {"text": "Overdue", "colour": colour})

    assertInHTML(expected, html)


# --- Pages through the auth views -----------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_page_uses_govuk_form_markup(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()

    assert response.status_code == 200
    assert f"<title>Sign in {DASH} Ombudsman Tracker {DASH} " in html
    assertInHTML('<label class="govuk-label" for="id_username">Username</label>', html)
    assert 'data-module="govuk-password-input"' in html
    assertInHTML(
        '<button type="submit" class="govuk-button" data-module="govuk-button">Sign in</button>',
        html,
    )
    assertNotInHTML("<script>", html)


@pytest.mark.django_db
def test_failed_sign_in_shows_error_summary_linking_to_username(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    html = response.content.decode()

    assert html.count("<title>Error: Sign in") == 1
    assert re.search(r'<li>\s*<a href="#id_username">Please enter a correct username', html)
