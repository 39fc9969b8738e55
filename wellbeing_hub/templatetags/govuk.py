"""Render Django form fields with GOV.UK Design System markup (label, hint, error message, input)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()

INPUT_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "password": "govuk-input",
    "number": "govuk-input govuk-input--width-10",
    "date": "govuk-input govuk-input--width-10",
    "time": "govuk-input govuk-input--width-5",
    "url": "govuk-input",
    "tel": "govuk-input govuk-input--width-20",
    "search": "govuk-input",
    "file": "govuk-file-upload",
}


def field_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    # CheckboxSelectMultiple subclasses RadioSelect, so it must be tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


@register.simple_tag
def govuk_field(field: forms.BoundField, **options: Any) -> SafeString:
    """One form field as a govuk-form-group. Options: label_size (s, m, l), width class, hint."""
    kind = field_kind(field)
    widget = field.field.widget
    error_id = f"{field.auto_id}-error"
    hint_id = f"{field.auto_id}-hint"
    described = []
    hint = options.get("hint") or field.help_text
    if hint:
        described.append(hint_id)
    if field.errors:
        described.append(error_id)
    attrs: dict[str, Any] = {}
    if kind in {"input", "select", "textarea"}:
        base = {
            "select": "govuk-select",
            "textarea": "govuk-textarea",
        }.get(kind) or INPUT_CLASSES.get(getattr(widget, "input_type", "text"), "govuk-input")
        if options.get("width"):
            base += f" {options['width']}"
        if field.errors:
            base += {"select": " govuk-select--error", "textarea": " govuk-textarea--error"}.get(
                kind, " govuk-input--error"
            )
        attrs["class"] = base
        if described:
            attrs["aria-describedby"] = " ".join(described)
    elif kind == "checkbox":
        attrs["class"] = "govuk-checkboxes__input"
    context = {
        "field": field,
        "kind": kind,
        "hint": hint,
        "hint_id": hint_id,
        "error_id": error_id,
        "described": " ".join(described),
        "label_size": options.get("label_size", "s"),
        "widget_html": field.as_widget(attrs=attrs)
        if kind in {"input", "select", "textarea", "checkbox"}
        else "",
        "options": list(field.subwidgets) if kind in {"radios", "checkboxes"} else [],
        "inline": options.get("inline", False),
    }
    return SafeString(render_to_string("govuk/field.html", context))


@register.filter
def govuk_anchor(field: forms.BoundField) -> str:
    """The id the error summary links to: the field, or the first option of a radio/checkbox list."""
    if field_kind(field) in {"radios", "checkboxes"}:
        return f"{field.auto_id}-0"
    return str(field.auto_id)


@register.filter
def govuk_time(value: datetime.time | None) -> str:
    """Times as GOV.UK writes them: 10am, 12:30pm, midday."""
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"
