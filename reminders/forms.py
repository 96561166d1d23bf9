from django import forms


class ReminderPreferencesForm(forms.Form):
    reminder_digest = forms.TypedChoiceField(
        label="How do you want reminders?",
        choices=[
            ("False", "One email for each reminder"),
            ("True", "One email a day with all my reminders"),
        ],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
    )
