"""HTML in descriptions: real feeds send descriptions as HTML (``<p>``, ``<ul>``, ``&nbsp;``,
links). They are kept as HTML cleaned by ``nh3`` to a small allow-list (paragraphs, line breaks,
lists, links, emphasis and headings turned into strong paragraphs), shown as formatted text, and
indexed as plain text (:func:`plain_text`). Text without tags (what providers type) is plain text
and shown with its line breaks.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "b", "i"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# A tag name after "<" or "</": text with none is plain text.
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,10}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
# Tags that end a block: a line break in the plain text.
_BLOCK = re.compile(r"<(?:/?(?:p|ul|ol|li|div|h[1-6]|tr|table|blockquote)|br\s*/?)\b[^>]*>", re.I)
_ROW_END = re.compile(r"</tr\s*>", re.I)
_CELL_END = re.compile(r"</t[dh]\s*>", re.I)
_HEADING = re.compile(r"<(/?)h[1-6]\b[^>]*>", re.I)


def is_html(text: str) -> bool:
    """Whether the text is HTML (has a tag or an entity), not plain text."""
    return bool(text) and bool(_TAG.search(text) or _ENTITY.search(text))


def sanitise(text: str) -> str:
    """The HTML cleaned to the allow-list; links open as they are, marked rel="noopener
    noreferrer nofollow". Headings become strong paragraphs. Plain text is returned unchanged."""
    if not is_html(text):
        return text
    text = _HEADING.sub(lambda m: "</strong></p>" if m.group(1) else "<p><strong>", text)
    # Tables are not kept: a row becomes a line, its cells separated by spaces.
    text = _CELL_END.sub(" ", _ROW_END.sub("<br>", text))
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # Empty paragraphs (editors leave "<p>&nbsp;</p>") carry nothing.
    cleaned = re.sub(r"<p>(?:\s|&nbsp;|\u00a0|<br>)*</p>", "", cleaned)
    return cleaned.strip()


def plain_text(text: str) -> str:
    """The words of a description without markup: block ends become line breaks, entities
    characters (``&nbsp;`` a space), runs of spaces one space. Use it to index, to search, to
    cut a summary, and for anything that is not an HTML page. Plain text comes back as it is."""
    if not text or not is_html(text):
        return text
    spaced = _CELL_END.sub(" ", _BLOCK.sub("\n", text))
    stripped = nh3.clean(
        spaced, tags=set(), strip_comments=True, clean_content_tags={"script", "style"}
    )
    words = html.unescape(stripped).replace("\u00a0", " ")
    lines = (" ".join(line.split()) for line in words.splitlines())
    return "\n".join(line for line in lines if line)


_PAGE_CLASSES = {
    "p": {"class": "govuk-body"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
}


def for_page(text: str) -> str:
    """Cleaned HTML with the GOV.UK classes on its paragraphs, lists and links, for a page."""
    return nh3.clean(
        sanitise(text),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "rel"}},
        url_schemes=URL_SCHEMES,
        link_rel=None,
        set_tag_attribute_values=_PAGE_CLASSES,
    )
