"""A check of the GOV.UK error pattern on a rendered page, for any app's tests.

https://design-system.service.gov.uk/components/error-summary/ : the page title starts with
"Error:", an error summary lists every error, each entry links to the field it is about (an input,
select or textarea on the page, or the first option of a group), and the same message appears
inline next to that field, prefixed with a visually hidden "Error:".
"""

from __future__ import annotations

from html.parser import HTMLParser

FOCUSABLE = {"input", "select", "textarea"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.ids: dict[str, str] = {}
        self.summary_items: list[tuple[str | None, str]] = []
        self.inline: list[str] = []
        self._stack: list[tuple[str, set[str]]] = []
        self._in_title = False
        self._summary_depth: int | None = None
        self._item: list[object] | None = None
        self._inline_text: list[str] | None = None
        self._inline_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        classes = set(attr.get("class", "").split())
        if "id" in attr:
            self.ids[attr["id"]] = tag
        if tag == "title":
            self._in_title = True
        if "govuk-error-summary__list" in classes:
            self._summary_depth = len(self._stack)
        if self._summary_depth is not None and tag == "li":
            self._item = [None, ""]
        if self._item is not None and tag == "a":
            self._item[0] = attr.get("href", "")
        if "govuk-error-message" in classes:
            self._inline_text = []
            self._inline_depth = len(self._stack)
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self._stack.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"input", "br", "img", "meta", "link", "hr"}:
            return
        if tag == "title":
            self._in_title = False
        if self._item is not None and tag == "li":
            self.summary_items.append((self._item[0], " ".join(str(self._item[1]).split())))  # type: ignore[arg-type]
            self._item = None
        if self._stack:
            self._stack.pop()
        if self._summary_depth is not None and len(self._stack) <= self._summary_depth:
            self._summary_depth = None
        if self._inline_text is not None and len(self._stack) <= self._inline_depth:
            self.inline.append(" ".join("".join(self._inline_text).split()))
            self._inline_text = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._item is not None:
            self._item[1] = str(self._item[1]) + data
        if self._inline_text is not None:
            self._inline_text.append(data)


def error_pattern_problems(html: str) -> list[str]:
    """What the page gets wrong about the GOV.UK error pattern; empty when it is right. A page with
    no errors at all is a problem too: call this on a response that should show errors."""
    page = _Page()
    page.feed(html)
    problems = []
    if not page.title.strip().startswith("Error:"):
        problems.append(f"the title {page.title.strip()!r} does not start with 'Error:'")
    if not page.summary_items:
        problems.append("there is no error summary")
    inline = {text.removeprefix("Error:").strip() for text in page.inline}
    for href, text in page.summary_items:
        if not href or not href.startswith("#"):
            problems.append(f"the summary's {text!r} does not link to a field")
            continue
        target = page.ids.get(href[1:])
        if target is None:
            problems.append(f"the summary's {text!r} links to {href}, which is not on the page")
        elif target not in FOCUSABLE:
            problems.append(f"the summary's {text!r} links to a {target}, not a field")
        if text not in inline:
            problems.append(f"{text!r} is in the summary but not shown inline by its field")
    return problems
