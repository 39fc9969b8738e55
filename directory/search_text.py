"""Free-text search over an in-memory copy of the search rows' tsvectors and name trigrams, giving
exactly what PostgreSQL 15 gives for ``vector @@ q``, ``ts_rank(vector, q)``, ``similarity(name,
s)`` and ``name % s`` (pure numpy; no Django).

PostgreSQL still parses the words: a search sends ``websearch_to_tsquery('english', s)::text`` and
``show_trgm(s)`` (``directory.search_memory``), and this module reads the query's text form back
into a tree (:func:`parse_query`). A query it cannot answer exactly (a prefix ``:*`` or a weight
restriction, which websearch_to_tsquery never writes, or a phrase over anything but words) parses to
``None`` and the search runs in the database as before.

The index (:class:`TextIndex`) is built from ``vector::text`` and ``show_trgm(name)`` of every row,
in the snapshot's name order: per lexeme the sorted positions (snapshot order) of the rows holding
it, and per (row, lexeme) its word positions and weights as stored; per trigram the rows whose name
has it. Matching is set algebra over those postings; ranking repeats ``calc_rank_and`` and
``calc_rank_or`` of ``src/backend/utils/adt/tsrank.c`` step for step, in float32 where C uses
float4 and float64 where C uses double, vectorised across rows and in C's loop order within each
row, so the ranks are bit-for-bit PostgreSQL's. Similarity is ``cnt_sml`` of pg_trgm: common
trigrams over the union, in float4.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float32]

# ts_rank's default weights by a position's weight code (D=0, C=1, B=2, A=3), float4 as in C.
WEIGHTS = np.array([0.1, 0.2, 0.4, 1.0], dtype=np.float32)
# Positions are 14 bits; a word with no position counts as this one, weight D, in ts_rank.
MAXENTRYPOS = 1 << 14
_SUM_OF_INVERSE_SQUARES = 1.64493406685  # the double constant in calc_rank_or


def _word_distances() -> FloatArray:
    """``word_distance(w)`` (float4) for w = 0..101; every w > 100 gives 1e-30f."""
    table = np.empty(102, dtype=np.float32)
    for w in range(101):
        # (float4) w / 1.5 - 2 is evaluated in double, exp() from the C library as PostgreSQL's.
        table[w] = np.float32(1.0 / (1.005 + 0.05 * math.exp(float(np.float32(w)) / 1.5 - 2)))
    table[101] = np.float32(1e-30)
    return table


WORD_DISTANCE = _word_distances()


def _pair_weights() -> npt.NDArray[np.float32]:
    """calc_rank_and's ``curw = sqrt(wpos(i) * wpos(k) * word_distance(dist))`` for every pair of
    weight codes (4 * code_i + code_k) and distance 0..101: the float4 products in C's order, the
    square root in double, rounded to float4."""
    w = WEIGHTS
    product = (w[:, None] * w[None, :]).reshape(16, 1) * WORD_DISTANCE[None, :]
    return np.sqrt(product.astype(np.float64)).astype(np.float32)


PAIR_WEIGHT = _pair_weights()
# 1 - curw in double, flat like PAIR_WEIGHT (4 * code_i + code_k) * 102 + distance
_PAIR_KEEP = 1.0 - PAIR_WEIGHT.ravel().astype(np.float64)


# --- the query ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    lexeme: str


@dataclass(frozen=True)
class Not:
    arg: Node


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Phrase:
    left: Node
    right: Node
    distance: int


Node = Word | Not | And | Or | Phrase


@dataclass(frozen=True)
class Query:
    """A parsed tsquery; ``root`` is None for the empty query (only stop words)."""

    root: Node | None

    @property
    def operands(self) -> list[str]:
        """Its words sorted by their bytes and without repeats (``SortAndUniqItems``: negated
        words included)."""
        found: set[str] = set()
        stack = [self.root] if self.root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, Word):
                found.add(node.lexeme)
            elif isinstance(node, Not):
                stack.append(node.arg)
            else:
                stack += [node.left, node.right]
        return sorted(found, key=lambda w: w.encode())

    @property
    def ranks_as_and(self) -> bool:
        """``calc_rank`` takes ``calc_rank_and`` when the first item (the root) is & or <->."""
        return isinstance(self.root, And | Phrase)


_TOKEN = re.compile(r"\s*(?:'((?:[^'\\]|''|\\.)*)'(:[*A-Za-z]*)?|(<->|<\d+>|[&|!()]))", re.DOTALL)
_ESCAPE = re.compile(r"''|\\(.)", re.DOTALL)


def _unescape(quoted: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(1) if m.group(1) is not None else "'", quoted)


class _Unsupported(ValueError):
    pass


def parse_query(text: str) -> Query | None:
    """The tree of a tsquery written as text (``tsqueryout``), or None when this module cannot
    answer it exactly. Priorities as PostgreSQL prints them: ! over <-> over & over |."""
    tokens: list[tuple[str, str]] = []
    at = 0
    text = text.rstrip()
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            return None
        at = m.end()
        if m.group(3) is not None:
            tokens.append(("op", m.group(3)))
        else:
            if m.group(2):  # a prefix (:*) or weight restriction
                return None
            tokens.append(("word", _unescape(m.group(1))))
    if not tokens:
        return Query(None)
    try:
        node, rest = _parse_or(tokens, 0)
        if rest != len(tokens) or not _phrases_supported(node):
            return None
    except _Unsupported:
        return None
    return Query(node)


def _parse_or(tokens: list[tuple[str, str]], at: int) -> tuple[Node, int]:
    left, at = _parse_and(tokens, at)
    while at < len(tokens) and tokens[at] == ("op", "|"):
        right, at = _parse_and(tokens, at + 1)
        left = Or(left, right)
    return left, at


def _parse_and(tokens: list[tuple[str, str]], at: int) -> tuple[Node, int]:
    left, at = _parse_phrase(tokens, at)
    while at < len(tokens) and tokens[at] == ("op", "&"):
        right, at = _parse_phrase(tokens, at + 1)
        left = And(left, right)
    return left, at


def _parse_phrase(tokens: list[tuple[str, str]], at: int) -> tuple[Node, int]:
    left, at = _parse_unary(tokens, at)
    while at < len(tokens) and tokens[at][0] == "op" and tokens[at][1].startswith("<"):
        op = tokens[at][1]
        distance = 1 if op == "<->" else int(op[1:-1])
        right, at = _parse_unary(tokens, at + 1)
        left = Phrase(left, right, distance)
    return left, at


def _parse_unary(tokens: list[tuple[str, str]], at: int) -> tuple[Node, int]:
    if at >= len(tokens):
        raise _Unsupported("query ends early")
    kind, value = tokens[at]
    if kind == "word":
        return Word(value), at + 1
    if value == "!":
        arg, at = _parse_unary(tokens, at + 1)
        return Not(arg), at
    if value == "(":
        node, at = _parse_or(tokens, at + 1)
        if at >= len(tokens) or tokens[at] != ("op", ")"):
            raise _Unsupported("unbalanced parenthesis")
        return node, at + 1
    raise _Unsupported(f"unexpected {value}")


def _phrases_supported(node: Node) -> bool:
    """Phrases are answered over words and phrases of words only (all that websearch_to_tsquery
    writes: quoted words, hyphenated words); anything else inside a phrase goes to the
    database."""
    if isinstance(node, Phrase):
        return _words_only(node.left) and _words_only(node.right)
    if isinstance(node, Word):
        return True
    if isinstance(node, Not):
        return _phrases_supported(node.arg)
    return _phrases_supported(node.left) and _phrases_supported(node.right)


def _words_only(node: Node) -> bool:
    if isinstance(node, Word):
        return True
    if isinstance(node, Phrase):
        return _words_only(node.left) and _words_only(node.right)
    return False


# --- the index ----------------------------------------------------------------------------------


@dataclass
class _WordPair:
    where: npt.NDArray[np.intp]  # which of the rows hold both words
    starts_i: npt.NDArray[np.int64]
    counts_i: npt.NDArray[np.int64]
    starts_k: npt.NDArray[np.int64]
    counts_k: npt.NDArray[np.int64]


@dataclass
class TextIndex:
    """Postings of every row's lexemes and name trigrams; rows are numbered 0..size-1."""

    size: int
    lexemes: dict[str, int]
    lex_start: npt.NDArray[np.int64]  # lexeme -> its postings [lex_start[l], lex_start[l+1])
    post_row: IntArray  # posting -> row, ascending within a lexeme
    post_start: IntArray  # posting -> its positions [post_start[p], post_start[p+1])
    # word positions as stored (ascending per posting), each shifted left 2 bits with its weight
    # code (D=0, C=1, B=2, A=3) in the low bits: positions are below 2^14, so 16 bits hold both
    entry: npt.NDArray[np.uint16]
    or_term: FloatArray  # posting -> its term of calc_rank_or (it depends on the posting alone)
    vector_size: IntArray  # row -> lexemes in its tsvector (0: empty)
    trigrams: dict[str, int]
    trg_start: npt.NDArray[np.int64]
    trg_row: IntArray
    trg_count: IntArray  # row -> distinct trigrams of its name

    @property
    def nbytes(self) -> int:
        arrays = (
            self.lex_start, self.post_row, self.post_start, self.entry, self.or_term,
            self.vector_size, self.trg_start, self.trg_row, self.trg_count,
        )  # fmt: skip
        return int(sum(a.nbytes for a in arrays))

    # matching

    def rows_with(self, lexeme: str) -> IntArray:
        lid = self.lexemes.get(lexeme)
        if lid is None:
            return np.empty(0, dtype=np.int32)
        return self.post_row[self.lex_start[lid] : self.lex_start[lid + 1]]

    def matches(self, query: Query) -> BoolArray:
        """``vector @@ query`` for every row."""
        if query.root is None:  # an empty query matches nothing
            return np.zeros(self.size, dtype=np.bool_)
        return self._eval(query.root)

    def _eval(self, node: Node) -> BoolArray:
        if isinstance(node, Word):
            mask = np.zeros(self.size, dtype=np.bool_)
            mask[self.rows_with(node.lexeme)] = True
            return mask
        if isinstance(node, Not):
            return ~self._eval(node.arg)
        if isinstance(node, And):
            return self._eval(node.left) & self._eval(node.right)
        if isinstance(node, Or):
            return self._eval(node.left) | self._eval(node.right)
        ends, _width = self._phrase_ends(node)
        mask = np.zeros(self.size, dtype=np.bool_)
        mask[(ends // MAXENTRYPOS).astype(np.int64)] = True
        return mask

    def _word_keys(self, lexeme: str) -> npt.NDArray[np.int64]:
        """row * MAXENTRYPOS + position for every stored position of the word, ascending."""
        lid = self.lexemes.get(lexeme)
        if lid is None:
            return np.empty(0, dtype=np.int64)
        a, b = self.lex_start[lid], self.lex_start[lid + 1]
        starts, stops = self.post_start[a:b], self.post_start[a + 1 : b + 1]
        counts = (stops - starts).astype(np.int64)
        rows = np.repeat(self.post_row[a:b].astype(np.int64), counts)
        offsets = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        positions = self.entry[np.repeat(starts.astype(np.int64), counts) + offsets] >> 2
        keys: npt.NDArray[np.int64] = rows * MAXENTRYPOS + positions.astype(np.int64)
        return keys

    def _phrase_ends(self, node: Node) -> tuple[npt.NDArray[np.int64], int]:
        """Where a phrase of words matches: (row, position of its last word) keys, and its
        width (TS_phrase_execute: left end + distance + right width == right end)."""
        if isinstance(node, Word):
            return self._word_keys(node.lexeme), 0
        assert isinstance(node, Phrase)
        left, left_width = self._phrase_ends(node.left)
        right, right_width = self._phrase_ends(node.right)
        shift = node.distance + right_width
        # keys of one row never cross into the next: positions are below MAXENTRYPOS
        wanted = left + shift
        wanted = wanted[(wanted % MAXENTRYPOS) >= shift]  # never wraps a row
        ends = right[np.isin(right, wanted)]
        return ends, left_width + node.distance + right_width

    # ranking

    def _postings_for(
        self, lexeme: str, rows: IntArray
    ) -> tuple[BoolArray, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For each of ``rows`` (ascending): does it hold the word, its posting, and where its
        positions start and how many there are."""
        n = len(rows)
        lid = self.lexemes.get(lexeme)
        if lid is None:
            nothing = np.zeros(n, np.int64)
            return np.zeros(n, np.bool_), nothing, nothing, nothing
        a, b = int(self.lex_start[lid]), int(self.lex_start[lid + 1])
        postings = self.post_row[a:b]
        if 16 * n > len(postings) + self.size // 4:  # many rows: one scatter, then a gather
            slot = np.full(self.size, -1, dtype=np.int32)
            slot[postings] = np.arange(len(postings), dtype=np.int32)
            at = slot[rows]
            present = at >= 0
            at[~present] = 0
        else:  # a binary search per row
            at = np.minimum(np.searchsorted(postings, rows), len(postings) - 1)
            present = postings[at] == rows
        posting = a + at.astype(np.int64)
        starts = self.post_start[posting].astype(np.int64)
        counts = self.post_start[posting + 1].astype(np.int64) - starts
        counts[~present] = 0
        return present, posting, starts, counts

    def rank(self, query: Query, rows: IntArray) -> FloatArray:
        """``ts_rank(vector, query)`` (weights {0.1, 0.2, 0.4, 1.0}, normalization 0) of each of
        ``rows`` (ascending), as PostgreSQL computes it."""
        n = len(rows)
        if query.root is None or n == 0:
            return np.zeros(n, dtype=np.float32)
        operands = query.operands
        res = None
        if query.ranks_as_and and len(operands) >= 2:
            res = self._rank_and(operands, rows)
        if res is None:
            res = self._rank_or(operands, rows)
        res[res < 0] = np.float32(1e-20)
        res[self.vector_size[rows] == 0] = np.float32(0.0)  # calc_rank: empty vector gives 0
        return res

    def _rank_or(self, operands: list[str], rows: IntArray) -> FloatArray:
        res = np.zeros(len(rows), dtype=np.float32)
        for lexeme in operands:
            present, posting, _starts, _counts = self._postings_for(lexeme, rows)
            where = np.flatnonzero(present)
            if len(where) == 0:
                continue
            term = self.or_term[posting[where]]
            total = (
                res[where].astype(np.float64) + term.astype(np.float64) / _SUM_OF_INVERSE_SQUARES
            )
            res[where] = total.astype(np.float32)
        return res / np.float32(len(operands))

    def _word_pairs(self, operands: list[str], rows: IntArray) -> Iterator[_WordPair]:
        """calc_rank_and's passes, in its order (i over the words, k over those before i):
        the rows holding both words, and where each word's positions start and how many."""
        found = [self._postings_for(lexeme, rows) for lexeme in operands]
        for i in range(len(operands)):
            present_i, _, starts_i, counts_i = found[i]
            for k in range(i):
                present_k, _, starts_k, counts_k = found[k]
                where = np.flatnonzero(present_i & present_k)
                if len(where) > 0:
                    yield _WordPair(
                        where, starts_i[where], counts_i[where], starts_k[where], counts_k[where]
                    )

    def _rank_and(self, operands: list[str], rows: IntArray) -> FloatArray:
        res = np.full(len(rows), -1.0, dtype=np.float32)
        for p in self._word_pairs(operands, rows):
            res[p.where] = self._rank_pair(
                res[p.where], p.starts_i, p.counts_i, p.starts_k, p.counts_k
            )
        return res

    def _rank_pair(
        self,
        res: FloatArray,
        starts_i: npt.NDArray[np.int64],
        counts_i: npt.NDArray[np.int64],
        starts_k: npt.NDArray[np.int64],
        counts_k: npt.NDArray[np.int64],
    ) -> FloatArray:
        """One (i, k) pass of calc_rank_and over rows holding both words: for l over the
        positions of i, p over those of k, ``res = 1 - (1 - res) * (1 - curw)`` in that order
        (curw alone for the first counted pair), each result rounded to float4."""
        pairs = counts_i * counts_k
        # Rows by their number of pairs, most first: the rows with a t-th pair are a prefix, and
        # step t's pairs sit together (step-major), so each step of the loop reads slices.
        most = int(pairs.max())
        if most < 1 << 16:  # a radix sort for 16-bit keys
            order = np.argsort((most - pairs).astype(np.uint16), kind="stable")
        else:
            order = np.argsort(-pairs, kind="stable")
        active = np.searchsorted(-pairs[order], -np.arange(most), side="left")
        base = np.cumsum(active) - active
        place = np.arange(int(active.sum()), dtype=np.int64) - np.repeat(base, active)
        row = order[place]
        step_i, step_k = np.divmod(
            np.repeat(np.arange(most, dtype=np.int64), active), counts_k[row]
        )
        a = self.entry[starts_i[row] + step_i].astype(np.int32)
        b = self.entry[starts_k[row] + step_k].astype(np.int32)
        dist = np.abs((a >> 2) - (b >> 2))
        counted = dist != 0
        np.minimum(dist, 101, out=dist)
        dist += (((a & 3) << 2) | (b & 3)) * 102
        curw = PAIR_WEIGHT.ravel()[dist]
        keep = 1.0 - curw.astype(np.float64)  # (1 - curw) in double, as C computes it
        local = res[order].astype(np.float64)  # float4 values, held in double
        # A row still at -1 takes its first counted pair's curw as it is: set it now and skip
        # that pair, so the loop only ever combines.
        counted_at = np.flatnonzero(counted)  # step-major: a row's first is its first in C
        first = np.full(len(local), len(curw), dtype=np.int64)
        np.minimum.at(first, place[counted_at], counted_at)
        starting = np.flatnonzero((local < 0) & (first < len(curw)))
        local[starting] = curw[first[starting]]
        counted[first[starting]] = False
        work = np.empty(len(local), dtype=np.float64)
        rounded = np.empty(len(local), dtype=np.float32)
        for step, m in enumerate(active.tolist()):
            at = slice(int(base[step]), int(base[step]) + m)
            prev, combined, as_float4 = local[:m], work[:m], rounded[:m]
            np.subtract(1.0, prev, out=combined)
            combined *= keep[at]
            np.subtract(1.0, combined, out=as_float4, casting="same_kind")  # double, then float4
            np.copyto(prev, as_float4, where=counted[at])
        out = np.empty_like(res)
        out[order] = local
        return out

    # a page by rank

    def ranked(
        self, query: Query, trigrams: Sequence[str], rows: IntArray, start: int, stop: int
    ) -> IntArray:
        """``rows[start:stop]`` (0 <= start) by ``ts_rank(vector, query) + similarity(name, s)``
        (float4), highest first, then by row: exactly ``top(rank(...) + similarity(...), rows,
        start, stop)``, but an AND query ranks exactly only the rows that can reach the page.

        calc_rank_and rounds to float4 after every pair of positions, so it runs step by step.
        Its value in double, ``1 - prod(1 - curw)`` over the counted pairs, is one product per
        row (:meth:`_rank_and_estimate`). Each float4 step rounds a value in [0, 1] (at most
        2^-25, plus a few double roundings), and an earlier error is carried forward times
        ``1 - curw`` <= 1, so errors add up without growing: under 2^-24 per counted pair. The
        float4 sum with the similarity (below 2) rounds by at most 2^-24 more. So each estimate
        gives a sure interval for the exact score, and two cuts keep every row that could score
        as high as the stop-th (rows level with it are kept):

        - no row scores above ``1 + similarity`` (the rank is at most 1, and rounding to float4
          keeps the order): the stop-th best lower end among the 2 * stop rows of highest
          similarity is a score the page reaches, and rows whose bound is below it are dropped
          before any pairs are counted;
        - among the rest, rows whose upper end is below the stop-th best lower end are dropped,
          and only the few left are ranked exactly."""
        similarity = self.similarity(trigrams, rows)
        n = len(rows)
        if not (query.ranks_as_and and len(query.operands) >= 2) or not 0 < 4 * stop < n:
            return top(self.rank(query, rows) + similarity, rows, start, stop)
        bound = similarity + np.float32(1.0)  # float4 rounding keeps the order: still a bound
        first = np.sort(np.argpartition(bound, n - 2 * stop)[n - 2 * stop :])
        low, _high = self._score_interval(query, rows[first], similarity[first])
        reach = np.partition(low, len(first) - stop)[len(first) - stop]
        near = np.flatnonzero(bound >= reach)
        rows, similarity, n = rows[near], similarity[near], len(near)
        low, high = self._score_interval(query, rows, similarity)
        reach = np.partition(low, n - stop)[n - stop]
        chosen = np.flatnonzero(high >= reach)
        exact = self.rank(query, rows[chosen]) + similarity[chosen]
        return top(exact, rows[chosen], start, stop)

    def _score_interval(
        self, query: Query, rows: IntArray, similarity: FloatArray
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Where each row's float4 ``ts_rank + similarity`` surely lies (an AND query)."""
        keep, counted = self._rank_and_estimate(query.operands, rows)
        estimate = np.where(counted > 0, 1.0 - keep, float(np.float32(1e-20)))
        estimate[self.vector_size[rows] == 0] = 0.0
        score = estimate + similarity
        error = (counted + 1) * 2.0**-24
        return score - error, score + error

    def _rank_and_estimate(
        self, operands: list[str], rows: IntArray
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """For each of ``rows``: the product of ``1 - curw`` (double) over the pairs
        calc_rank_and counts, and how many it counts (every pair at once, row by row)."""
        keep = np.ones(len(rows), dtype=np.float64)
        counted = np.zeros(len(rows), dtype=np.int64)
        for p in self._word_pairs(operands, rows):
            ci, ck = p.counts_i, p.counts_k
            # a unit per (row, position of i) holds the positions of k
            units = int(ci.sum())
            unit_row_start = np.cumsum(ci) - ci
            unit_ck = np.repeat(ck, ci)
            unit_start = np.cumsum(unit_ck) - unit_ck
            unit_a = np.repeat(p.starts_i - unit_row_start, ci) + np.arange(units)
            a = self.entry[np.repeat(unit_a, unit_ck)].astype(np.int32)
            unit_b = np.repeat(p.starts_k, ci) - unit_start
            b = self.entry[np.arange(len(a)) + np.repeat(unit_b, unit_ck)].astype(np.int32)
            dist = np.abs((a >> 2) - (b >> 2))
            pair = dist != 0
            np.minimum(dist, 101, out=dist)
            dist += (((a & 3) << 2) | (b & 3)) * 102
            factor = _PAIR_KEEP[dist]
            factor[~pair] = 1.0
            row_start = unit_start[unit_row_start]
            keep[p.where] *= np.multiply.reduceat(factor, row_start)
            counted[p.where] += np.add.reduceat(pair, row_start, dtype=np.int64)
        return keep, counted

    # names

    def common_trigrams(self, trigrams: Sequence[str], rows: IntArray | None = None) -> IntArray:
        """How many of the trigrams each row's name has (each of ``rows``, ascending, if given:
        looked up in the postings when they are fewer than the postings)."""
        postings = []
        for trigram in set(trigrams):
            tid = self.trigrams.get(trigram)
            if tid is not None:
                postings.append(self.trg_row[self.trg_start[tid] : self.trg_start[tid + 1]])
        # a scatter over every posting, or a binary search per row and trigram
        # (one pass of bincount over the joined postings costs about what 16 binary searches do)
        if rows is None or 16 * len(rows) * len(postings) >= sum(map(len, postings)) + self.size:
            joined = np.concatenate(postings) if postings else np.empty(0, np.int32)
            counts = np.bincount(joined, minlength=self.size)
            picked = counts if rows is None else counts[rows]
            return np.asarray(picked, dtype=np.int32)
        counts = np.zeros(len(rows), dtype=np.int32)
        for found in postings:
            at = np.minimum(np.searchsorted(found, rows), len(found) - 1)
            counts += found[at] == rows
        return counts.astype(np.int32, copy=False)

    def similarity(self, trigrams: Sequence[str], rows: IntArray | None = None) -> FloatArray:
        """pg_trgm ``similarity(name, s)`` for each row (or each of ``rows``, ascending), given
        ``show_trgm(s)``: common trigrams over all distinct ones, float4."""
        length = len(set(trigrams))
        common = self.common_trigrams(trigrams, rows)
        own = self.trg_count if rows is None else self.trg_count[rows]
        if length == 0:
            return np.zeros(len(own), dtype=np.float32)
        union = (own + np.int32(length) - common).astype(np.float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            sml = common.astype(np.float32) / union
        return np.where(own > 0, sml, np.float32(0.0)).astype(np.float32)


def top(rank: FloatArray, rows: IntArray, start: int, stop: int) -> IntArray:
    """``rows[start:stop]`` ordered by rank, highest first, then by row (name order): only the
    rows ranked at least as high as the stop-th are sorted."""
    if 0 < stop < len(rows) // 4:
        kth = len(rows) - stop
        threshold = np.partition(rank, kth)[kth]  # the stop-th highest rank
        keep = np.flatnonzero(rank >= threshold)
        rank, rows = rank[keep], rows[keep]
    return rows[np.lexsort((rows, -rank))[start:stop]]


# --- building -----------------------------------------------------------------------------------

_LEXEME = re.compile(rb"'([^']*)':")
_ITEM = re.compile(r"'((?:[^'\\]|''|\\.)*)'(?::([0-9A-D,]+))?", re.DOTALL)
_WEIGHT_CODE = {"A": 3, "B": 2, "C": 1, "D": 0}


class NotIndexable(ValueError):
    """The rows hold something the index does not model (a NULL vector, a word with no
    positions): such a snapshot answers text searches in the database."""


def build_index(vectors: Sequence[str | None], name_trigrams: Sequence[str]) -> TextIndex:
    """The index of rows given each row's ``vector::text`` and ``show_trgm(name)`` joined with
    chr(1), in row order."""
    if any(v is None for v in vectors):
        raise NotIndexable("a row has no tsvector")
    texts: list[str] = [v for v in vectors if v is not None]
    pair_row, lexeme_ids, lexemes, pair_counts, positions, codes = _parse_vectors(texts)
    size = len(texts)
    vector_size = np.bincount(pair_row, minlength=size).astype(np.int32)
    # postings by lexeme, rows ascending within each (pairs arrive in row order)
    narrow = lexeme_ids.astype(np.uint16) if len(lexemes) <= 1 << 16 else lexeme_ids
    order = np.argsort(narrow, kind="stable")  # a radix sort for 16-bit ids
    counts = pair_counts[order]
    old_start = (np.cumsum(pair_counts) - pair_counts)[order]
    new_start = np.cumsum(counts) - counts
    gather = np.repeat(old_start - new_start, counts) + np.arange(int(counts.sum()))
    lex_start = np.zeros(len(lexemes) + 1, dtype=np.int64)
    lex_start[1:] = np.cumsum(np.bincount(lexeme_ids, minlength=len(lexemes)))
    post_start = np.zeros(len(order) + 1, dtype=np.int32)
    post_start[1:] = np.cumsum(counts)
    trigrams, trg_start, trg_row, trg_count = _trigram_postings(name_trigrams)
    weight_code = codes[gather].astype(np.uint16)
    return TextIndex(
        size=size,
        lexemes=lexemes,
        lex_start=lex_start,
        post_row=pair_row[order].astype(np.int32),
        post_start=post_start,
        entry=((positions[gather] << 2) | weight_code).astype(np.uint16),
        or_term=_or_terms(post_start, weight_code),
        vector_size=vector_size,
        trigrams=trigrams,
        trg_start=trg_start,
        trg_row=trg_row,
        trg_count=trg_count,
    )


def _or_terms(post_start: IntArray, weight_code: npt.NDArray[np.uint16]) -> FloatArray:
    """For every posting, ``wjm + resj - wjm / ((jm + 1) * (jm + 1))`` of calc_rank_or in float4:
    resj sums each position's weight over (j + 1)^2 in order, wjm is the first highest weight
    and jm its place."""
    starts = post_start[:-1].astype(np.int64)
    counts = np.diff(post_start).astype(np.int64)
    order = np.argsort(-counts, kind="stable")  # most positions first: a prefix at each step
    starts, counts = starts[order], counts[order]
    resj = np.zeros(len(order), dtype=np.float32)
    wjm = np.full(len(order), -1.0, dtype=np.float32)
    jm = np.zeros(len(order), dtype=np.int64)
    steps = int(counts[0]) if len(counts) else 0
    active = np.searchsorted(-counts, -np.arange(steps), side="left")
    for j, k in enumerate(active.tolist()):
        w = WEIGHTS[weight_code[starts[:k] + j]]
        resj[:k] = resj[:k] + w / np.float32((j + 1) * (j + 1))
        better = w > wjm[:k]
        wjm[:k] = np.where(better, w, wjm[:k])
        jm[:k] = np.where(better, j, jm[:k])
    squares = ((jm + 1) * (jm + 1)).astype(np.float32)
    terms = np.empty(len(order), dtype=np.float32)
    terms[order] = (wjm + resj) - wjm / squares  # float4 arithmetic
    return terms


def _parse_vectors(
    texts: list[str],
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    dict[str, int],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    """(row, lexeme id, position count) per (row, word) in row order, the lexeme ids, and the
    positions and weight codes in the same order."""
    big = "\n".join(texts).encode()
    if b"''" in big or b"\\" in big:  # a word with a quote or backslash: the exact slow way
        return _parse_vectors_slowly(texts)
    words = _LEXEME.findall(big)
    ids = {word: i for i, word in enumerate(dict.fromkeys(words))}
    items = big.count(b" '") + sum(1 for t in texts if t)
    if (
        len(words) != items
        or big.count(b"\n") != len(texts) - 1
        or any(b"," in word for word in ids)
    ):  # a word without positions, or with a comma or newline in it: the exact slow way
        return _parse_vectors_slowly(texts)
    lexeme_ids = np.fromiter(map(ids.__getitem__, words), dtype=np.int64, count=len(words))
    lexemes = {word.decode(): i for word, i in ids.items()}
    b = np.frombuffer(big, dtype=np.uint8)
    # each word's positions follow its "':", separated by commas (no word holds one)
    region_start = np.flatnonzero((b[:-1] == ord("'")) & (b[1:] == ord(":"))) + 2
    newlines = np.flatnonzero(b == ord("\n"))
    pair_row = np.searchsorted(newlines, region_start).astype(np.int64)
    commas = np.flatnonzero(b == ord(","))
    pair_counts = np.bincount(
        np.searchsorted(region_start, commas, side="right") - 1, minlength=len(region_start)
    ).astype(np.int64)
    pair_counts += 1
    # both runs are sorted: a stable sort merges them
    token_start = np.sort(np.concatenate([region_start, commas + 1]), kind="stable")
    padded = np.concatenate([b, np.zeros(8, dtype=np.uint8)])
    value = np.zeros(len(token_start), dtype=np.int64)
    at = token_start.copy()
    reading = np.arange(len(token_start))
    for _ in range(6):  # at most 5 digits (positions < 16384)
        c = padded[at[reading]]
        digit = (c >= ord("0")) & (c <= ord("9"))
        reading, c = reading[digit], c[digit]
        if len(reading) == 0:
            break
        value[reading] = value[reading] * 10 + (c.astype(np.int64) - ord("0"))
        at[reading] += 1
    c = padded[at]
    codes = np.zeros(len(token_start), dtype=np.int64)
    for letter, code in _WEIGHT_CODE.items():
        codes[c == ord(letter)] = code
    return pair_row, lexeme_ids, lexemes, pair_counts, value, codes


def _parse_vectors_slowly(
    texts: list[str],
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    dict[str, int],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    lexemes: dict[str, int] = {}
    rows: list[int] = []
    ids: list[int] = []
    counts: list[int] = []
    positions: list[int] = []
    codes: list[int] = []
    for row, text in enumerate(texts):
        for quoted, spec in _ITEM.findall(text):
            if not spec:
                raise NotIndexable("a word without positions")
            rows.append(row)
            ids.append(lexemes.setdefault(_unescape(quoted), len(lexemes)))
            parts = spec.split(",")
            counts.append(len(parts))
            for part in parts:
                letter = part[-1] if part[-1] in _WEIGHT_CODE else "D"
                positions.append(int(part.rstrip("ABCD")))
                codes.append(_WEIGHT_CODE[letter])
    return (
        np.array(rows, dtype=np.int64),
        np.array(ids, dtype=np.int64),
        lexemes,
        np.array(counts, dtype=np.int64),
        np.array(positions, dtype=np.int64),
        np.array(codes, dtype=np.int64),
    )


TRIGRAM_SEPARATOR = "\x01"


def _trigram_postings(
    name_trigrams: Sequence[str],
) -> tuple[dict[str, int], npt.NDArray[np.int64], IntArray, IntArray]:
    split = [t.split(TRIGRAM_SEPARATOR) if t else [] for t in name_trigrams]
    count = np.fromiter(map(len, split), dtype=np.int32, count=len(split))
    flat = [t for row in split for t in row]
    ids = {t: i for i, t in enumerate(dict.fromkeys(flat))}
    trg_ids = np.fromiter(map(ids.__getitem__, flat), dtype=np.int64, count=len(flat))
    rows = np.repeat(np.arange(len(split), dtype=np.int32), count)
    order = np.argsort(trg_ids, kind="stable")
    start = np.zeros(len(ids) + 1, dtype=np.int64)
    start[1:] = np.cumsum(np.bincount(trg_ids, minlength=len(ids)))
    return ids, start, rows[order], count
