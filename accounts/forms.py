from django import forms

from .two_factor import normalised_code


def _code_input(**attrs):
    return forms.TextInput(
        attrs={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
            "class": "govuk-input--width-10",
            **attrs,
        }
    )


class AuthenticatorCodeForm(forms.Form):
    """The first code of an authenticator app being set up."""

    code = forms.CharField(
        label="Code from the app",
        help_text="The 6-digit code the app shows for Ombudsman Tracker.",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code the app shows"},
        widget=_code_input(inputmode="numeric"),
    )

    def clean_code(self):
        code = normalised_code(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Enter the 6-digit code the app shows")
        return code


class SecondFactorCodeForm(forms.Form):
    """A code from an authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        help_text=(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        max_length=40,
        error_messages={"required": "Enter the code from your authenticator app"},
        widget=_code_input(),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_code(self):
        return normalised_code(self.cleaned_data["code"])
