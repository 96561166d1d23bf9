"""The dashboard's filters. They validate and nothing else."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from accounts.models import User
from ombudsman_tracker.forms import GovukDateField, UnmarkedBoundField
from organisations.models import Organisation


class LongSelect(forms.Select):
    """A select with its options written in one pass rather than a template each: the owners'
    list has an option for everyone who owns a deadline, hundreds in a council, and rendering
    them one template at a time cost more than the rest of the dashboard."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(label)}</option>"
            for key, label in self.choices
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        # Every value, label and attribute is escaped above (flatatt escapes its own).
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{options}</select>')  # noqa: S308


class DashboardFilterForm(forms.Form):
    bound_field_class = UnmarkedBoundField

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )
    service_area = forms.ChoiceField(label="Service area", required=False)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone", widget=LongSelect
    )
    due_from = GovukDateField(
        label="Due on or after", required=False, help_text="For example, 1 4 2026"
    )
    due_to = GovukDateField(
        label="Due on or before", required=False, help_text="For example, 31 3 2027"
    )

    def __init__(self, *args, organisations, owners, service_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["owner"].queryset = owners
        self.fields["service_area"].choices = [
            ("", "All service areas"),
            *((area, area) for area in service_areas),
        ]

    def clean(self):
        cleaned = super().clean()
        due_from, due_to = cleaned.get("due_from"), cleaned.get("due_to")
        if due_from and due_to and due_to < due_from:
            self.add_error(
                "due_to", "The date due on or before must be the same as or after the other date"
            )
        return cleaned
