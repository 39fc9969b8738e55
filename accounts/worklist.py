"""The shapes a staff home page is built from (issue 13). Each app's ``<app>/worklists.py`` returns
these; :mod:`accounts.home` puts a person's sections together by their roles.

Everything here is read-only data: counts, the date that matters (a deadline, or how long the
oldest has waited) and the link to the page where the work is done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    """One thing to do, named for someone allowed to see it (a plan on their caseload, a change
    from their organisation)."""

    label: str
    url: str
    when: dt.date | None = None
    when_label: str = ""  # "Due", "Waiting since", "Closes"…
    overdue: bool = False
    status: str = ""  # a short tag: "Waiting for review", "Not published"…
    detail: str = ""  # one line more, such as a refusal's reason


@dataclass(frozen=True)
class Task:
    """A kind of work: how many are waiting, the date that matters, and where to do it."""

    label: str
    count: int
    url: str
    when: dt.date | None = None
    when_label: str = ""
    overdue: int = 0
    overdue_label: str = "overdue"
    hint: str = ""
    items: tuple[Item, ...] = ()
    itemised: bool = True  # False: ``items`` are kinds of work with their own counts

    @property
    def more(self) -> int:
        """How many are not listed one by one (the link shows them all)."""
        return max(0, self.count - len(self.items)) if self.itemised else 0


@dataclass(frozen=True)
class Figure:
    """An aggregate figure (a count, a total, a share): never a person's record."""

    label: str
    value: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tasks: tuple[Task, ...] = ()
    figures: tuple[Figure, ...] = ()
    links: tuple[tuple[str, str], ...] = field(default=())  # (label, url)
    note: str = ""

    @property
    def waiting(self) -> int:
        return sum(task.count for task in self.tasks)
