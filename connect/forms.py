from __future__ import annotations

from django import forms

from connect.models import OnwardReferral, Referral

STATUS_CHOICES = [(s.value, s.label) for s in Referral.Status if s != Referral.Status.RECEIVED]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new status"},
    )
    on = forms.DateField(
        label="Date",
        help_text="For example, 2026-03-27",
        error_messages={
            "required": "Enter the date, for example 2026-03-27",
            "invalid": "Enter the date as year-month-day, for example 2026-03-27",
        },
    )


class ConsentForm(forms.Form):
    share_back = forms.BooleanField(
        label="Share a summary back with the person who referred them", required=False
    )
    onward = forms.BooleanField(label="Refer them on to community services", required=False)
    outcomes = forms.BooleanField(
        label="Include their wellbeing scores in the summary", required=False
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="Can your service take this referral?",
        choices=[("accept", "Yes, accept"), ("decline", "No, decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether your service can take this referral"},
    )
    decline_reason = forms.ChoiceField(
        label="Why not (if declining)",
        choices=OnwardReferral.DeclineReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Say more (needed if you chose another reason)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
