from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from accounts.models import User


class SignInForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RegisterForm(forms.Form):
    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="The name you would like people to use. It does not have to be your legal name.",
        error_messages={"required": "Enter your name"},
    )
    username = forms.RegexField(
        label="Choose a username",
        regex=r"^[a-zA-Z0-9._-]{3,40}$",
        help_text="3 to 40 letters, numbers, dots, dashes or underscores.",
        error_messages={
            "required": "Choose a username",
            "invalid": "Your username must be 3 to 40 letters, numbers, dots, dashes or underscores",
        },
    )
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Create a password",
        help_text="At least 10 characters. Avoid common words and your name.",
        error_messages={"required": "Create a password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    carer = forms.BooleanField(
        label="I look after or support someone (a carer, family member or friend)", required=False
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken. Choose a different username")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            probe = User(
                username=data.get("username", ""),
                email=data.get("email", ""),
                display_name=data.get("display_name", ""),
            )
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error(
                    "password", [f"Your password is not strong enough: {m}" for m in error.messages]
                )
        return data


NO_OPTIONAL_EMAILS = "none"


class NotificationChoicesForm(forms.Form):
    """Which kinds of email a person wants: a checkbox for each kind they may turn off, and
    "None of these" (the GOV.UK exclusive "none" option) so that sending the form with nothing
    ticked by mistake does not silently stop every email."""

    kinds = forms.MultipleChoiceField(
        label="Which emails do you want?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select only the emails listed on this page",
        },
    )

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kinds"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c, c) for c in codes] + [(NO_OPTIONAL_EMAILS, NO_OPTIONAL_EMAILS)]

    def clean_kinds(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["kinds"]
        if not chosen:
            raise forms.ValidationError(
                "Select the emails you want, or select ‘None of these’ if you only want the "
                "emails we always send"
            )
        if NO_OPTIONAL_EMAILS in chosen and len(chosen) > 1:
            raise forms.ValidationError(
                "Select the emails you want, or select ‘None of these’, not both"
            )
        return [c for c in chosen if c != NO_OPTIONAL_EMAILS]
