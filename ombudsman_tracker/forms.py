"""Render every Django form in GOV.UK Design System markup.

``FORM_RENDERER`` points at :class:`GovukFormRenderer`, so ``{{ form }}`` and
``{{ form.field.as_field_group }}`` produce GOV.UK form groups with labels, hints, error
messages and ``aria-describedby`` wiring. :class:`GovukBoundField` decides which GOV.UK
component a field is (``govuk_kind``) and puts the component's classes on the widget, so the
templates only lay out what it computed. Dates are entered as day, month and year through
:class:`GovukDateField`.
"""

import datetime
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input

from .uploads import size_in_mb

DATE_PARTS = ("day", "month", "year")


class GovukDateInput(forms.MultiWidget):
    """Day, month and year text inputs named ``<name>_day``, ``<name>_month``, ``<name>_year``.

    A real date comes back from the request as an ISO string; anything else comes back as the
    list of raw parts, so that :class:`GovukDateField` can say what is wrong and the page shows
    the user exactly what they typed.
    """

    template_name = "includes/forms/widgets/date_input.html"
    part_widths = {"day": 2, "month": 2, "year": 4}

    def __init__(self, attrs=None):
        widgets = {
            part: forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                    "inputmode": "numeric",
                }
            )
            for part, width in self.part_widths.items()
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        parts = [(data.get(f"{name}_{part}") or "").strip() for part in DATE_PARTS]
        if not any(parts):
            return None
        try:
            return parts_to_date(*parts).isoformat()
        except ValueError:
            return parts

    def id_for_label(self, id_):
        # The error summary and the legend point at the day input.
        return f"{id_}_day" if id_ else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        # MultiWidget would replace each input's width classes with any class passed in;
        # add them instead.
        extra_class = widget["attrs"].get("class", "")
        in_error = set()
        if widget["attrs"].get("aria-invalid"):
            in_error = set(DATE_PARTS)
            if isinstance(value, list | tuple) and any(value):
                # GOV.UK highlights only the missing parts of an incomplete date.
                missing = {part for part, raw in zip(DATE_PARTS, value, strict=True) if not raw}
                in_error = missing or in_error
        for part, subwidget, own in zip(
            DATE_PARTS, widget["subwidgets"], self.widgets, strict=True
        ):
            sub_attrs = subwidget["attrs"]
            if widget["attrs"].get("id"):
                sub_attrs["id"] = f"{widget['attrs']['id']}_{part}"
            classes = [own.attrs["class"], extra_class]
            if part in in_error:
                classes.append("govuk-input--error")
            else:
                sub_attrs.pop("aria-invalid", None)
            sub_attrs["class"] = " ".join(c for c in classes if c)
            subwidget["label"] = part.capitalize()
        return context


def parts_to_date(day, month, year):
    """The date for day, month and year strings; ``ValueError`` if they are not a real date."""
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        raise ValueError("not a real date")
    return datetime.date(int(year), int(month), int(day))


def _lower_first(text):
    """'Decision date' -> 'decision date', leaving acronyms such as 'LGSCO' alone."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


class GovukDateField(forms.DateField):
    """A date entered as day, month and year, with the GOV.UK date input error messages.

    Messages name the field by its label ("Decision date must be a real date"); pass
    ``error_messages`` to word them differently.
    """

    widget = GovukDateInput

    def __init__(self, *, label=None, error_messages=None, **kwargs):
        subject = str(label) if label else "Date"
        messages = {
            "required": f"Enter the {_lower_first(subject)}" if label else "Enter a date",
            "invalid": f"{subject} must be a real date",
            "incomplete": f"{subject} must include a %(missing)s",
            "year_digits": "Year must include 4 numbers",
        }
        messages.update(error_messages or {})
        super().__init__(label=label, error_messages=messages, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, list | tuple):
            return self._date_from_parts([str(part or "").strip() for part in value])
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            return super().to_python(value)

    def _date_from_parts(self, parts):
        if not any(parts):
            return None
        missing = [part for part, raw in zip(DATE_PARTS, parts, strict=True) if not raw]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"missing": " and ".join(missing)},
            )
        day, month, year = parts
        if year.isdigit() and len(year) != 4:
            raise ValidationError(self.error_messages["year_digits"], code="year_digits")
        try:
            return parts_to_date(day, month, year)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


# GOV.UK classes for each kind of field: (on the input, added when the field has errors).
_WIDGET_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "password": (
        "govuk-input govuk-password-input__input govuk-js-password-input-input",
        "govuk-input--error",
    ),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "checkboxes": ("govuk-checkboxes__input", ""),
    "radios": ("govuk-radios__input", ""),
    # The date widget marks its own inputs, so that only the missing parts are highlighted.
    "date": ("", ""),
}


def govuk_kind(widget):
    """Which GOV.UK component renders ``widget``; the field template branches on this."""
    # Order matters: CheckboxSelectMultiple is a RadioSelect, ClearableFileInput a FileInput.
    kinds = [
        (GovukDateInput, "date"),
        (forms.CheckboxSelectMultiple, "checkboxes"),
        (forms.RadioSelect, "radios"),
        (forms.CheckboxInput, "checkbox"),
        (forms.FileInput, "file"),
        (forms.PasswordInput, "password"),
        (forms.Textarea, "textarea"),
        (forms.Select, "select"),
        (Input, "input"),
    ]
    if widget.is_hidden:
        return "hidden"
    for widget_class, kind in kinds:
        if isinstance(widget, widget_class):
            return kind
    return "other"


class GovukBoundField(BoundField):
    """A bound field that knows its GOV.UK component, hint and error ids."""

    @property
    def govuk_kind(self):
        return govuk_kind(self.field.widget)

    @property
    def use_fieldset(self):
        # A file input takes a label even when ClearableFileInput asks for a fieldset.
        kind = self.govuk_kind
        if kind in ("radios", "checkboxes", "date"):
            return True
        return kind == "other" and self.field.widget.use_fieldset

    @property
    def hint_id(self):
        return f"{self.auto_id}-hint"

    @property
    def error_id(self):
        return f"{self.auto_id}-error"

    @property
    def aria_describedby(self):
        # Django puts this on the input, or on the fieldset for grouped inputs (use_fieldset).
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(self.hint_id)
            if self.errors:
                ids.append(self.error_id)
        return " ".join(ids)

    @property
    def error_anchor_id(self):
        """The id the error summary links to: the first radio or checkbox, the day input."""
        if self.govuk_kind in ("radios", "checkboxes") and self.subwidgets:
            return self.subwidgets[0].id_for_label
        return self.id_for_label or self.auto_id

    @property
    def is_optional(self):
        """Shown as "(optional)" after the label; a lone checkbox is never marked."""
        return not self.field.required and self.govuk_kind not in ("checkbox", "hidden")

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        base, error = _WIDGET_CLASSES.get(govuk_kind(widget), ("", ""))
        classes = [base, widget.attrs.get("class", ""), attrs.get("class", "")]
        if self.errors:
            classes.append(error)
        if joined := " ".join(c for c in classes if c):
            attrs["class"] = joined
        # Autofocus moves screen reader users past the heading and instructions (GOV.UK
        # advises against it); False drops the attribute Django's login form sets.
        attrs["autofocus"] = False
        if govuk_kind(widget) == "password":
            attrs.setdefault("spellcheck", "false")
            attrs.setdefault("autocapitalize", "none")
        return attrs


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields with the GOV.UK templates in ``templates/includes/forms``."""

    form_template_name = "includes/forms/form.html"
    field_template_name = "includes/forms/field.html"
    bound_field_class = GovukBoundField


# --- Shared by every app's forms and views ----------------------------------------------------


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: against a field the form has, or in
    the error summary (for example a database constraint on a field the form does not show)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def after_conflict(form: forms.Form, error: Exception, *, version: int, **form_kwargs):
    """The same form, with what the user typed, the latest ``version`` and the conflict message.

    Saving it again then applies the user's changes on top of the latest version.
    """
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    rebound = type(form)(data, form.files, **form_kwargs)
    rebound.is_valid()
    rebound.add_error(None, str(error))
    return rebound


def file_types(extensions) -> str:
    """["pdf", "docx", "csv"] -> "PDF, DOCX or CSV", as the GOV.UK file upload message puts it."""
    names = [extension.upper() for extension in extensions]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def describe_upload(upload, *, allowed, max_bytes) -> str | None:
    """The GOV.UK message for an unacceptable upload, or None if it is acceptable."""
    if Path(upload.name).suffix.lower().removeprefix(".") not in allowed:
        return f"The selected file must be a {file_types(allowed)}"
    if upload.size == 0:
        return "The selected file is empty"
    if upload.size > max_bytes:
        return f"The selected file must be smaller than {size_in_mb(max_bytes)}"
    return None


class UnmarkedBoundField(GovukBoundField):
    """A field that is not required but not labelled "(optional)" either: a filter (where
    every field is optional, so the mark says nothing), or a part of a deadline rule that is
    needed for some answers to another question (its hint says which)."""

    @property
    def is_optional(self):
        return False


class VersionField(forms.IntegerField):
    """The ``version`` the user saw, so a save on top of someone else's is refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


def csv_file_field(*, label: str, holding: str, workbook: bool = False) -> forms.FileField:
    """The file field of an import page: a CSV file ``holding`` what it imports, with how to
    save one from Excel; with ``workbook``, an Excel workbook (.xlsx) as well."""
    if workbook:
        return forms.FileField(
            label=label,
            help_text=f"A CSV file or an Excel workbook (.xlsx) {holding}. From Excel, upload "
            "the workbook, or save it as 'CSV UTF-8 (Comma delimited)'.",
            error_messages={"required": "Select a CSV file or an Excel workbook"},
        )
    return forms.FileField(
        label=label,
        help_text=f"A CSV file {holding}. In Excel, save it as 'CSV UTF-8 (Comma delimited)'.",
        error_messages={"required": "Select a CSV file"},
    )
