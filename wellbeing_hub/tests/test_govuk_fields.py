"""The GOV.UK field renderer: each widget gets the Design System's markup, errors are linked."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class Example(forms.Form):
    name = forms.CharField(label="Your name", help_text="As you like to be called")
    colour = forms.ChoiceField(
        label="Colour", choices=[("r", "Red"), ("b", "Blue")], widget=forms.RadioSelect
    )
    features = forms.MultipleChoiceField(
        label="Features", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")


def render(form: forms.Form, template: str) -> str:
    return Template("{% load govuk %}" + template).render(Context({"form": form}))


def test_widgets_get_their_design_system_classes() -> None:
    form = Example()
    assert 'class="govuk-input"' in render(form, "{% govuk_field form.name %}")
    assert 'type="radio"' in render(form, "{% govuk_field form.colour %}")
    checkboxes = render(form, "{% govuk_field form.features %}")
    assert 'class="govuk-checkboxes' in checkboxes and 'type="checkbox"' in checkboxes
    assert "govuk-radios" not in checkboxes
    assert "govuk-checkboxes__input" in render(form, "{% govuk_field form.agree %}")


def test_errors_are_described_and_linked_from_the_summary() -> None:
    form = Example(data={})
    form.is_valid()
    field = render(form, "{% govuk_field form.name %}")
    assert "govuk-form-group--error" in field and "govuk-input--error" in field
    assert 'aria-describedby="id_name-hint id_name-error"' in field
    summary = render(form, '{% include "includes/error_summary.html" %}')
    assert 'href="#id_name"' in summary and 'href="#id_colour-0"' in summary
