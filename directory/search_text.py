"""Free-text search that finds what people mean: Tantivy (English Snowball stemming, BM25 with
the name boosted above the rest, top-k by block-max WAND) in each server process, the same on both
databases, with SQLite FTS5 keeping the vocabulary of the words as written, for typos.

:class:`TextIndex` holds one document per public service, its rowid the service's position in the
in-memory copy (``directory.search_memory``), so matches combine with the copy's filters as
arrays. A search (:meth:`TextIndex.search`):

1. reads the words as the synonym list is keyed (FTS5's Porter tokenizer, through a small FTS5
   table and ``fts5vocab``: the list's phrases and the typed words are stemmed alike);
2. corrects a word that matches nothing to the nearest word of the index's own vocabulary
   (``demntia`` → dementia, ``alchohol`` → alcohol: at most one edit for short words, two for
   long ones; the commonest wins), and adds the nearest common word beside a word found only in
   one or two services;
3. widens words and phrases with the curated synonym list (``search_synonyms.txt``, Solr
   format: ``older people, elderly``; ``exercise => yoga, tai chi``);
4. matches every word (each one a group of its alternatives), ranked by BM25 with the name
   boosted :data:`NAME_BOOST` times the rest, equal scores in name order (the rowids' order);
   when that finds fewer than :data:`FEW` services, services matching any of the words follow,
   ranked among themselves, below every all-word match.

Common English words (``for``, ``the``, ``with`` …) are left out of the matching unless the search
has nothing else. Quotes keep a phrase together ("tai chi").

Why Tantivy (``docs/search.md``): SQLite FTS5 computes bm25 for every match before it takes the
best, tens of milliseconds for a common word at 100,000 services; Tantivy skips blocks that cannot
reach the top (0.45 ms against 12.6 ms mean for fresh searches at 100,000 services, the same
top-5 relevance on the judged set, ``bench.text_engines``). Each index still remembers its recent
answers until it changes (:class:`_Answers`): a whole ranked list is still costly to build.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import unicodedata
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import tantivy
from django.utils.html import strip_tags

SYNONYMS_FILE = Path(__file__).with_name("search_synonyms.txt")
# BM25 field boosts: a word in the service's name counts this many times one in its description
# (2 scored best on the judged set: 3.90 against 3.85 at 4); a word only in who it is for (a
# publisher's audience list, "For: Carers, Autism, Homeless, …", long and broad on real feeds)
# counts this much.
NAME_BOOST = 2.0
AUDIENCE_BOOST = 0.3
# Below this many services matching every word, services matching any word follow.
FEW = 10
# Words longer than this are cut (nobody types them; FTS5 would index them whole).
MAX_WORD = 40
# The most words of a search that take part (the rest are ignored).
MAX_WORDS = 12

# Snowball's English stop-word list (snowballstem.org/algorithms/english/stop.txt), the words that
# carry no meaning in a search box. "not"/"no" are kept out of it so "no fixed abode" still works.
_STOP_TEXT = """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing would
    should could ought a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on off
    over under again further then once here there when where why how all any both each few more
    most other some such only own same so than too very can will just near nearby help please
    want need looking local find finding get getting"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r'"([^"]*)"')
_SPACE = re.compile(r"\s+")

IntArray = npt.NDArray[np.int64]


def _strip_markup(text: str) -> str:
    """Django's ``strip_tags`` and the entities decoded (a tag ends a word)."""
    return html.unescape(strip_tags(text.replace("<", " <")))


try:  # the descriptions' own plain text, as the pages' HTML cleaning reads it
    from directory.html import plain_text as _description_text
except ImportError:  # pragma: no cover - before that module exists
    _description_text = _strip_markup


def plain_text(text: str) -> str:
    """A description's words without HTML markup or entities (``<p>Tai&nbsp;Chi</p>`` → "Tai Chi");
    text that is already plain changes only in spacing."""
    if "<" in text or "&" in text:
        text = _description_text(text)
    return _SPACE.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Lower case, compatibility forms folded, apostrophes dropped (``men's`` → mens: the index
    reads "men's" as men + s, and the stemmer reads "mens" as men)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("'", "").replace("\u2019", "")


# --- stemming through FTS5's own tokenizer ------------------------------------------------------

_TOKENIZER = "porter unicode61 remove_diacritics 2"


# The most stems a process remembers (words people typed, and the synonym list's).
STEMS_KEPT = 50_000


class Stemmer:
    """Words as FTS5's Porter tokenizer stems them (``fts5vocab`` 'instance' of a one-row table)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE s USING fts5(x, tokenize='{_TOKENIZER}')")
        self._db.execute("CREATE VIRTUAL TABLE s_i USING fts5vocab(s, 'instance')")
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}  # stems worked out (a third of a millisecond each)

    def stems(self, words: list[str]) -> list[str]:
        """One stem per word (a word the tokenizer splits, or drops, keeps its own form)."""
        if not words:
            return []
        out = []
        with self._lock:
            for word in words:
                stem = self._known.get(word)
                if stem is None:
                    self._db.execute("DELETE FROM s")
                    self._db.execute("INSERT INTO s(rowid, x) VALUES (1, ?)", [word])
                    found = [t for (t,) in self._db.execute("SELECT term FROM s_i ORDER BY offset")]
                    stem = found[0] if len(found) == 1 else word
                    if len(self._known) < STEMS_KEPT:
                        self._known[word] = stem
                out.append(stem)
        return out


_stemmer: Stemmer | None = None


def stemmer() -> Stemmer:
    global _stemmer
    if _stemmer is None:
        _stemmer = Stemmer()
    return _stemmer


# --- synonyms -----------------------------------------------------------------------------------


@dataclass
class Synonyms:
    """Phrases (as tuples of stems) and what a search for each also finds (phrases as text)."""

    expand: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    longest: int = 1


def _phrases(text: str) -> list[str]:
    return [" ".join(_WORD.findall(normalise(p))) for p in text.split(",") if _WORD.search(p)]


def phrases(text: str) -> list[str]:
    """The phrases of one side of a synonym line, as the search reads them."""
    return _phrases(text)


def parse_synonyms(text: str) -> Synonyms:
    """Solr ``synonyms.txt``: ``a, b, c`` (equivalent) and ``a, b => c, d`` (one way)."""
    groups: list[tuple[list[str], list[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            groups.append((_phrases(left), _phrases(left) + _phrases(right)))
        else:
            every = _phrases(line)
            groups.append((every, every))
    stems = stemmer()
    synonyms = Synonyms()
    for keys, targets in groups:
        for key in keys:
            stemmed = tuple(stems.stems(key.split()))
            found = synonyms.expand.setdefault(stemmed, [])
            found.extend(t for t in targets if t not in found)
            synonyms.longest = max(synonyms.longest, len(stemmed))
    return synonyms


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    return parse_synonyms(path.read_text(encoding="utf-8"))


# --- edit distance for typos --------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two neighbours), or
    ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    """Typos tolerated in a word: none below 4 letters (too many real words are one edit apart),
    one up to 7, two from 8."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


# --- the index ----------------------------------------------------------------------------------


@dataclass
class Ranked:
    """The services a search matches, best first, as positions in the copy: the first
    ``all_words`` match every word; the rest (only when those were few) match some."""

    rows: IntArray
    all_words: int
    expression: str = ""
    total: int = 0  # how many match (more than ``rows`` when only the first were asked for)


@dataclass
class _Unit:
    """One word or phrase of the search and the phrases that count as it (the first is what was
    typed, corrected; a run of typed words that a synonym line names keeps them as ``parts``, so
    the words themselves still count wherever they stand)."""

    text: str
    alternatives: list[str]
    stop: bool = False
    parts: list[_Unit] = field(default_factory=list)


def _quote(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _either(expressions: list[str]) -> str:
    expressions = list(dict.fromkeys(expressions))
    return expressions[0] if len(expressions) == 1 else "(" + " OR ".join(expressions) + ")"


def _group(unit: _Unit) -> str:
    """The unit as an FTS5 expression: what was typed, or any phrase that counts as it."""
    if unit.parts:
        typed = "(" + " AND ".join(_group(p) for p in unit.parts) + ")"
        return _either([typed, *(_quote(a) for a in unit.alternatives[1:])])
    return _either([_quote(a) for a in unit.alternatives])


def _any_group(unit: _Unit) -> str:
    """As :func:`_group`, with any one of the typed words enough."""
    if unit.parts:
        return _either([*(_any_group(p) for p in unit.parts), *map(_quote, unit.alternatives[1:])])
    return _group(unit)


# Answers remembered per index (:class:`_Answers`): at most this many searches, holding at most
# this many bytes of positions (a whole ranked list of a common word at 100,000 services is about
# 300 KB; a first page is 160 bytes).
ANSWERS = 1024
ANSWER_BYTES = 8 * 1024 * 1024


class _Answers:
    """The answers to recent searches of one index, the least recently used forgotten first;
    forgotten all at once when the index changes (as Solr's query result cache is dropped with
    its searcher). An answer for the first *n* also answers a search for fewer; a whole answer
    answers any. Not thread-safe: the index's lock guards it."""

    def __init__(self) -> None:
        self._found: OrderedDict[str, Ranked] = OrderedDict()
        self._bytes = 0

    def get(self, key: str, first: int | None) -> Ranked | None:
        found = self._found.get(key)
        if found is None:
            return None
        whole = len(found.rows) >= found.total
        if not whole and (first is None or len(found.rows) < first):
            return None
        self._found.move_to_end(key)
        if first is None or len(found.rows) <= first:
            return found
        return Ranked(found.rows[:first], found.all_words, found.expression, found.total)

    def put(self, key: str, first: int | None, found: Ranked) -> None:
        if found.rows.nbytes > ANSWER_BYTES // 4:
            return  # one answer may not push out most of the others
        older = self._found.pop(key, None)
        if older is not None:
            self._bytes -= older.rows.nbytes
            if len(older.rows) > len(found.rows):  # keep the longer answer
                found = older
        found.rows.setflags(write=False)  # shared by every search that reads it
        self._found[key] = found
        self._bytes += found.rows.nbytes
        while self._found and (len(self._found) > ANSWERS or self._bytes > ANSWER_BYTES):
            _key, dropped = self._found.popitem(last=False)
            self._bytes -= dropped.rows.nbytes

    def clear(self) -> None:
        self._found.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._found)


# Page cache of the vocabulary and texts kept in a file (``TextIndex(in_file=True)``), in KiB.
FILE_CACHE_KIB = 32 * 1024
# Memory Tantivy's writer may fill before it writes a segment (its floor is 15 MB per thread).
WRITER_HEAP = 32 * 1024 * 1024
# Services removed (or changed) since the ranking index was built, as a share of those in it,
# above which it is built again from the texts: until then their words still count in BM25's
# statistics, so ranking drifts a little from a fresh copy's. Amortised, a rebuild costs each
# write well under a millisecond (4.5 s per 100,000 services, after 10,000 writes).
REBUILD_AFTER_REMOVED_SHARE = 0.1

_FIELDS = ["name", "body", "audience"]
_BOOSTS = {"name": NAME_BOOST, "body": 1.0, "audience": AUDIENCE_BOOST}
_ANALYZER = "words_en"


def _remove(db: sqlite3.Connection, path: str) -> None:
    db.close()
    with suppress(OSError):
        os.unlink(path)


def _analyzer() -> tantivy.TextAnalyzer:
    """Words split at anything not a letter or digit (as FTS5's unicode61 splits them), lower
    case, accents folded, then Snowball's English stemmer (Porter's revision)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(4 * MAX_WORD))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _matches(found: tantivy.SearchResult) -> int:
    """How many documents a search counted (``count`` is missing from Tantivy's type stubs)."""
    counted: int | None = cast(Any, found).count
    return counted or 0


class _Ranker:
    """The Tantivy index of one copy: each service's name, text and audience under its rowid.

    Writes are committed at once, so the next search sees them (one commit per :meth:`add` or
    :meth:`remove`, a few milliseconds). Callers take turns (:class:`TextIndex`'s lock)."""

    def __init__(self, path: str | None) -> None:
        schema = tantivy.SchemaBuilder()
        schema.add_integer_field("rowid", indexed=True, fast=True)
        for name in _FIELDS:
            schema.add_text_field(name, tokenizer_name=_ANALYZER)
        self.index = tantivy.Index(schema.build(), path=path, reuse=False)
        self.index.register_tokenizer(_ANALYZER, _analyzer())
        self.index.config_reader("Manual")
        self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        self._searcher = self.index.searcher()
        # Removed documents still count in BM25's word statistics until Tantivy merges their
        # segment away (as in Lucene): TextIndex rebuilds this index when they pass a share.
        self.removed = 0

    def add(self, batch: list[tuple[int, str, str, str]]) -> None:
        for rowid, name, body, audience in batch:
            self._writer.add_document(
                tantivy.Document(rowid=rowid, name=name, body=body, audience=audience)
            )

    def remove(self, rowid: int) -> None:
        self._writer.delete_documents_by_term("rowid", rowid)
        self.removed += 1

    def commit(self) -> None:
        self._writer.commit()
        self.index.reload()
        self._searcher = self.index.searcher()

    def query(self, expression: str) -> tantivy.Query | None:
        try:
            return self.index.parse_query(expression, _FIELDS, field_boosts=_BOOSTS)
        except ValueError:  # nothing matchable (only punctuation, say)
            return None

    def count(self, expression: str) -> int:
        query = self.query(expression)
        return 0 if query is None else _matches(self._searcher.search(query, 1, count=True))

    def ranked(self, expression: str, first: int | None) -> tuple[list[int], int]:
        """The rowids matching, best first, equal scores in rowid order (only the ``first`` of
        them when given), and how many match."""
        query = self.query(expression)
        if query is None:
            return [], 0
        searcher = self._searcher
        if first is None:
            total = _matches(searcher.search(query, 1, count=True))
            want = total
            hits = searcher.search(query, total, count=False).hits if total else []
        else:
            # Tantivy breaks ties by its own document order, not the rowids': fetch past the
            # last wanted score until a lower one shows every service with that score is in hand.
            fetch = max(first, 0) + 1
            found = searcher.search(query, fetch, count=True)
            total, hits = _matches(found), found.hits
            want = min(max(first, 0), total)
            while want and len(hits) == fetch and hits[-1][0] >= hits[want - 1][0]:
                fetch *= 2
                hits = searcher.search(query, fetch, count=False).hits
        if want == 0:
            return [], total
        rowids = searcher.fast_field_values("rowid", [address for _score, address in hits])
        scored = sorted(
            (-float(score), int(rowid or 0)) for (score, _), rowid in zip(hits, rowids, strict=True)
        )
        return [rowid for _score, rowid in scored[:want]], total


_TERM = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    """Lower case without accents (as FTS5's ``unicode61 remove_diacritics 2`` reads words)."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _Vocabulary:
    """The words of the services as written (not stemmed), each with how many
    services use it, grouped by first letter and length: what a typo is corrected to.

    Kept in Python, not as an FTS5 ``fts5vocab`` table: that counts each word's services by
    walking its whole posting list, 20 ms for the words of one first letter at 100,000 services,
    on every search with a typo."""

    def __init__(self) -> None:
        self._uses: dict[str, int] = {}
        self._by_shape: defaultdict[tuple[str, int], set[str]] = defaultdict(set)

    def add(self, text: str) -> None:
        for term in set(_TERM.findall(_fold(text))):
            if term in self._uses:
                self._uses[term] += 1
            else:
                self._uses[term] = 1
                if term.isalpha():  # only words of letters are corrected, or corrected to
                    self._by_shape[term[0], len(term)].add(term)

    def remove(self, text: str) -> None:
        for term in set(_TERM.findall(_fold(text))):
            left = self._uses.get(term, 0) - 1
            if left > 0:
                self._uses[term] = left
            elif term in self._uses:
                del self._uses[term]
                self._by_shape[term[0], len(term)].discard(term)

    def uses(self, term: str) -> int:
        return self._uses.get(term, 0)

    def near(self, word: str, limit: int) -> Iterator[tuple[str, int]]:
        """The words with ``word``'s first letter whose length is within ``limit`` of it."""
        for length in range(max(1, len(word) - limit), len(word) + limit + 1):
            for term in self._by_shape.get((word[0], length), ()):
                yield term, self._uses[term]


class _Directory:
    """A temporary folder for an index kept on disk, deleted with it."""

    def __init__(self) -> None:
        self.path = tempfile.mkdtemp(prefix="wellbeing-search-")
        weakref.finalize(self, shutil.rmtree, self.path, True)


class TextIndex:
    """The text index of one copy of the search rows (Tantivy, :class:`_Ranker`), with the texts
    and the vocabulary for typos (SQLite).

    Not safe to share while it is being filled; after :meth:`finish` searches from any thread
    take turns (one search takes about a millisecond)."""

    def __init__(self, synonyms: Synonyms | None = None, *, in_file: bool = False) -> None:
        """``in_file``: keep the index in temporary files of this process (deleted with the
        index; SQLite's with a page cache of :data:`FILE_CACHE_KIB`, Tantivy's mapped), so a large
        directory's words cost the process a bounded amount of memory (the rest is the system's
        file cache, shared and reclaimable) instead of growing with it."""
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self.path: str | None = None
        if in_file:
            handle, self.path = tempfile.mkstemp(prefix="wellbeing-search-", suffix=".sqlite3")
            os.close(handle)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            # a scratch copy: nothing to recover after a crash, so no journal and no syncing
            self._db.executescript(
                f"""
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                PRAGMA cache_size = -{FILE_CACHE_KIB};
                PRAGMA temp_store = MEMORY;
                """
            )
            weakref.finalize(self, _remove, self._db, self.path)
        else:
            self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._folder = _Directory() if in_file else None
        self._ranker = _Ranker(self._folder.path if self._folder else None)
        self._db.executescript(
            """
            -- what each service's words are, to name it and to take its words out again
            CREATE TABLE doc (rowid INTEGER PRIMARY KEY, name TEXT, body TEXT, audience TEXT);
            """
        )
        self._vocabulary = _Vocabulary()
        self._lock = threading.Lock()
        self._nearest_found: dict[tuple[str, int], tuple[str, int] | None] = {}
        self._answers = _Answers()
        self.size = 0

    # filling

    def add(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        """Add services as ``(position, name, text, who it is for)`` (text may hold HTML)."""
        batch: list[tuple[int, str, str, str]] = []
        with self._lock:
            for position, name, text, audience in rows:
                batch.append((position, name, plain_text(text), plain_text(audience)))
                if len(batch) >= 2000:
                    self._insert(batch)
                    batch = []
            self._insert(batch)
            self._ranker.commit()
            self._nearest_found.clear()
            self._answers.clear()

    def _insert(self, batch: list[tuple[int, str, str, str]]) -> None:
        if not batch:
            return
        self._db.executemany(
            "INSERT INTO doc(rowid, name, body, audience) VALUES (?, ?, ?, ?)", batch
        )
        for _rowid, name, body, audience in batch:
            self._vocabulary.add(f"{name} {body} {audience}")
        self._ranker.add(batch)
        self.size += len(batch)

    def remove(self, rowids: Iterable[int]) -> None:
        """Take services out (their words leave the vocabulary, read from the texts)."""
        with self._lock:
            for rowid in rowids:
                row = self._db.execute(
                    "SELECT name, body, audience FROM doc WHERE rowid = ?", [rowid]
                ).fetchone()
                if row is None:
                    continue
                name, body, audience = row
                self._vocabulary.remove(f"{name} {body} {audience}")
                self._db.execute("DELETE FROM doc WHERE rowid = ?", [rowid])
                self._ranker.remove(rowid)
                self.size -= 1
            self._ranker.commit()
            if self._ranker.removed > REBUILD_AFTER_REMOVED_SHARE * max(self.size, 1):
                self._rebuild_ranker()
            self._nearest_found.clear()  # the vocabulary changed
            self._answers.clear()

    def _rebuild_ranker(self) -> None:
        """A fresh ranking index of the texts as they are (its statistics exact again)."""
        folder = _Directory() if self._folder is not None else None
        ranker = _Ranker(folder.path if folder else None)
        rows = self._db.execute("SELECT rowid, name, body, audience FROM doc")
        while batch := rows.fetchmany(2000):
            ranker.add(batch)
        ranker.commit()
        self._ranker, self._folder = ranker, folder

    def rebuild_ranking(self) -> None:
        """Rank from statistics of exactly the services in the index now (the tests compare a
        patched index with a fresh one this way)."""
        with self._lock:
            self._rebuild_ranker()
            self._answers.clear()

    def documents(self) -> list[tuple[int, str, str, str]]:
        """Every service's ``(rowid, name, text, who it is for)`` as indexed (plain text), for
        comparing another engine on the same words (``bench.text_engines``)."""
        with self._lock:
            return [
                (int(r), str(n), str(b), str(a))
                for r, n, b, a in self._db.execute("SELECT rowid, name, body, audience FROM doc")
            ]

    def name_of(self, rowid: int) -> str:
        """The name of the service at ``rowid`` (the copy keeps names only here)."""
        with self._lock:
            row = self._db.execute("SELECT name FROM doc WHERE rowid = ?", [rowid]).fetchone()
        return "" if row is None else str(row[0])

    def use_synonyms(self, synonyms: Synonyms) -> None:
        """A coordinator's new list: searches read it from now on (nothing is re-indexed)."""
        with self._lock:
            self.synonyms = synonyms
            self._nearest_found.clear()  # a word with synonyms is not corrected
            self._answers.clear()

    @property
    def nbytes(self) -> int:
        """The index's size: its SQLite pages, and Tantivy's files when it keeps them on disk
        (Tantivy's index in memory has no size to ask for; the process's resident memory,
        ``bench.search_memory_curve``, counts it)."""
        with self._lock:
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            size = self._db.execute("PRAGMA page_size").fetchone()[0]
            files = 0
            if self._folder is not None:
                for entry in os.scandir(self._folder.path):
                    with suppress(OSError):
                        files += entry.stat().st_size
        return int(pages * size) + files

    def finish(self) -> TextIndex:
        return self

    # searching

    def search(self, q: str, first: int | None = None) -> Ranked:
        """Every service the words find, best first (see the module's description); with
        ``first``, only that many of them (``total`` still counts them all).

        Answers are remembered until the index changes (:class:`_Answers`): ranking a common word
        costs tens of milliseconds at 100,000 services, and people repeat the common searches."""
        key = _SPACE.sub(" ", normalise(q)).strip()
        with self._lock:
            known = self._answers.get(key, first)
            if known is not None:
                return known
            found = self._search(q, first)
            self._answers.put(key, first, found)
        return found

    def forget_answers(self) -> None:
        """Forget the remembered answers (the search-curve benchmark measures searches afresh)."""
        with self._lock:
            self._answers.clear()

    def _search(self, q: str, first: int | None) -> Ranked:
        units = self._units(q)
        if not units:
            return Ranked(np.zeros(0, dtype=np.int64), 0)
        for unit in units:
            if not unit.stop and " " not in unit.text:
                self._correct(unit)
        widened = self._widen(units)
        meaningful = [u for u in widened if not u.stop] or widened
        every = " AND ".join(_group(u) for u in meaningful)
        if first is not None:
            rows, counted = self._ranker.ranked(every, first)
            if counted >= FEW:
                return Ranked(np.array(rows, dtype=np.int64), counted, every, counted)
            if len(rows) < counted:  # fewer than FEW asked for: rank them all
                rows = self._ranked(every)
        else:
            rows = self._ranked(every)
        all_words = len(rows)
        total = all_words
        if all_words < FEW and len(meaningful) > 1:
            # Every all-word match is also an any-word match: these add the rest, and (asked
            # for the first few) only the first few of them need ranking (the all-word ones
            # among those are left out, so at least that many follow); the count is of the
            # any-word ones.
            some = " OR ".join(_any_group(u) for u in meaningful)
            seen = set(rows)
            some_rows, some_total = self._ranker.ranked(some, first)
            rows += [r for r in some_rows if r not in seen]
            total = len(rows) if first is None else max(some_total, all_words)
            if first is not None:
                rows = rows[: max(first, 0)]
        elif first is not None:
            rows = rows[: max(first, 0)]
        return Ranked(np.array(rows, dtype=np.int64), all_words, every, total)

    def _ranked(self, expression: str, first: int | None = None) -> list[int]:
        return self._ranker.ranked(expression, first)[0]

    def _count_of(self, expression: str) -> int:
        return self._ranker.count(expression)

    def _units(self, q: str) -> list[_Unit]:
        """The search's words and quoted phrases, in order."""
        units: list[_Unit] = []
        text = normalise(q)
        at = 0
        for quoted in _QUOTED.finditer(text):
            units += self._words(text[at : quoted.start()])
            phrase = " ".join(w[:MAX_WORD] for w in _WORD.findall(quoted.group(1)))
            if phrase:
                units.append(_Unit(phrase, [phrase]))
            at = quoted.end()
        units += self._words(text[at:])
        return units[:MAX_WORDS]

    @staticmethod
    def _words(text: str) -> list[_Unit]:
        return [
            _Unit(w[:MAX_WORD], [w[:MAX_WORD]], stop=w in STOPWORDS)
            for w in _WORD.findall(text.replace('"', " "))
        ]

    def _count(self, phrase: str) -> int:
        return self._count_of(_quote(phrase))

    def _correct(self, unit: _Unit) -> None:
        """A word the index does not know becomes the nearest word it knows; beside a word only
        one or two services use, the nearest common word is searched as well."""
        word = unit.text
        limit = allowed_edits(word)
        if not limit or not word.isalpha():
            return
        if self._vocabulary.uses(_fold(word)) > 2:
            return  # as written in three services or more: no need to count its stem's
        found = self._count(word)
        if found > 2:
            return
        if tuple(stemmer().stems([word])) in self.synonyms.expand:
            return  # the synonyms say what it means
        best = self._nearest(word, limit if found == 0 else 1)
        if best is None:
            return
        other, uses = best
        if found == 0:
            unit.alternatives = [other]
        elif uses >= 20 * found:
            unit.alternatives.append(other)

    def _nearest(self, word: str, limit: int) -> tuple[str, int] | None:
        """The vocabulary's word closest to ``word`` (fewest edits, then most services), sharing
        its first letter (remembered: the vocabulary does not change within a copy)."""
        key = (word, limit)
        if key in self._nearest_found:
            return self._nearest_found[key]
        word = _fold(word)
        best: tuple[int, int, str] | None = None
        for term, uses in self._vocabulary.near(word, limit):
            if term == word:
                continue
            distance = edit_distance(word, term, limit)
            if distance > limit:
                continue
            candidate = (distance, -uses, term)
            if best is None or candidate < best:
                best = candidate
        found = None if best is None else (best[2], -best[1])
        if len(self._nearest_found) < 10_000:
            self._nearest_found[key] = found
        return found

    def _widen(self, units: list[_Unit]) -> list[_Unit]:
        """Replace each run of words that a synonym line names by one unit of every phrase it
        stands for (the longest run first)."""
        if not self.synonyms.expand:
            return units
        stems = stemmer().stems([u.alternatives[0] for u in units])
        out: list[_Unit] = []
        at = 0
        while at < len(units):
            for length in range(min(self.synonyms.longest, len(units) - at), 0, -1):
                key = tuple(" ".join(stems[at : at + length]).split())
                targets = self.synonyms.expand.get(key)
                if targets:
                    run = units[at : at + length]
                    own = " ".join(u.alternatives[0] for u in run)
                    extra = [a for u in run for a in u.alternatives[1:]] if length == 1 else []
                    phrases = [own, *extra, *(t for t in targets if t != own)]
                    parts = [u for u in run if not u.stop] if length > 1 else []
                    out.append(_Unit(own, list(dict.fromkeys(phrases)), parts=parts))
                    at += length
                    break
            else:
                out.append(units[at])
                at += 1
        return out
