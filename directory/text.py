"""Text as the directory keeps it, whoever typed or imported it. Pure Python (no Django imports).

A name (of a service, an organisation, a place, a contact, an address line…) is one line: a line
break in a service's name used to break every email about it, and nothing shows a name on two
lines. A description keeps its line breaks, as ``\\n`` only. Neither keeps other control characters
(NUL cannot be stored in PostgreSQL at all; escape sequences and the like are never meant). Lone
UTF-16 surrogates cannot be stored or encoded anywhere, so they are not cleaned away but reported
by :func:`has_surrogates`, for the caller to refuse the record or field that holds them.
"""

from __future__ import annotations

import re

# Unicode's control characters (Cc: U+0000-U+001F and U+007F-U+009F) and surrogates (Cs), as
# character classes, so a long description is cleaned in C rather than a character at a time.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Every line break Python's str.splitlines knows (CR LF is one break).
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BLANK_LINES = re.compile(r"\n{3,}")


def has_control_characters(text: str) -> bool:
    """Control characters (Unicode's Cc: NUL, escape, tab, line breaks…) or lone surrogates."""
    return _CONTROL.search(text) is not None


def has_surrogates(text: str) -> bool:
    """Lone UTF-16 surrogates, which cannot be encoded as UTF-8 (so never stored or sent)."""
    return _SURROGATE.search(text) is not None


def one_line(text: str) -> str:
    """A name: control characters and surrogates become spaces, runs of white space one space,
    none at either end."""
    return " ".join(_CONTROL.sub(" ", text).split())


def multi_line(text: str) -> str:
    """A description: every kind of line break becomes ``\\n``, a tab a space, other control
    characters and surrogates are dropped; white space at the ends of the text and the end of
    each line goes, and so do blank lines beyond one in a row."""
    text = _CONTROL_BUT_NEWLINE.sub("", _LINE_BREAK.sub("\n", text).replace("\t", " "))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
