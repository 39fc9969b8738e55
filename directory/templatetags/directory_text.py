"""Showing descriptions: HTML from feeds as formatted text (cleaned to the allow-list of
``directory.html``), plain text with its line breaks."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from directory import html

register = template.Library()


@register.filter
def formatted(text: str) -> SafeString:
    """A description as formatted text: cleaned HTML, or escaped plain text in a paragraph."""
    if not text:
        return mark_safe("")
    if html.is_html(text):
        return mark_safe(f'<div class="govuk-body">{html.for_page(text)}</div>')  # noqa: S308 (nh3 cleaned it)
    return mark_safe(f'<p class="govuk-body">{linebreaksbr(escape(text))}</p>')  # noqa: S308 (escaped)


@register.filter
def plain(text: str) -> str:
    """The words of a description without markup (for summaries)."""
    return html.plain_text(text or "")
