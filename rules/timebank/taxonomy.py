"""A tree of activity categories ("Getting about" > "Lifts and transport" > "Hospital lifts").

A member who offers a category can often help with related ones. :meth:`Taxonomy.relation` says how
an offered category relates to a requested one:

* the same category;
* **broader**: the offer is an ancestor of the request ("Getting about" for "Lifts and transport");
* **narrower**: the offer is a descendant of the request ("Hospital lifts" for "Lifts and
  transport");
* unrelated (siblings and cousins do not count).

How much each relation is worth is set in :mod:`rules.timebank.weights`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from rules.timebank.errors import TaxonomyError


class Relation(StrEnum):
    SAME = "same"
    BROADER = "broader"
    NARROWER = "narrower"


@dataclass(frozen=True, slots=True)
class CategoryMatch:
    offered: str
    requested: str
    relation: Relation
    levels: int
    """How many levels apart (0 for the same category)."""


class Taxonomy:
    """Categories by id with their parent; ``labels`` gives names for people (default: the id).

    Categories not in the taxonomy are treated as top-level categories with no relations.
    """

    def __init__(
        self, parents: Mapping[str, str | None], labels: Mapping[str, str] | None = None
    ) -> None:
        self._parent = {child: parent for child, parent in parents.items() if parent is not None}
        self._labels = dict(labels or {})
        self._ancestors: dict[str, tuple[str, ...]] = {}
        for category in {*parents, *self._parent.values()}:
            chain: list[str] = []
            current = self._parent.get(category)
            while current is not None:
                if current == category or current in chain:
                    raise TaxonomyError(f"Category '{category}' is its own ancestor.")
                chain.append(current)
                current = self._parent.get(current)
            self._ancestors[category] = tuple(chain)

    @classmethod
    def flat(cls) -> Taxonomy:
        """A taxonomy with no hierarchy: only exact matches count."""
        return cls({})

    def label(self, category: str) -> str:
        return self._labels.get(category, category)

    def parent(self, category: str) -> str | None:
        return self._parent.get(category)

    def ancestors(self, category: str) -> tuple[str, ...]:
        """Parent first, top-level category last."""
        return self._ancestors.get(category, ())

    def top_level(self, category: str) -> str:
        chain = self.ancestors(category)
        return chain[-1] if chain else category

    def relation(self, offered: str, requested: str) -> CategoryMatch | None:
        if offered == requested:
            return CategoryMatch(offered, requested, Relation.SAME, 0)
        up = self.ancestors(requested)
        if offered in up:
            return CategoryMatch(offered, requested, Relation.BROADER, up.index(offered) + 1)
        down = self.ancestors(offered)
        if requested in down:
            return CategoryMatch(offered, requested, Relation.NARROWER, down.index(requested) + 1)
        return None

    def describe(self, match: CategoryMatch) -> str:
        """``"Offers 'Lifts and transport'"`` and variants for broader and narrower offers."""
        offered, requested = self.label(match.offered), self.label(match.requested)
        if match.relation is Relation.SAME:
            return f"Offers '{offered}'"
        if match.relation is Relation.BROADER:
            return f"Offers '{offered}', which includes '{requested}'"
        return f"Offers '{offered}', a kind of '{requested}'"
