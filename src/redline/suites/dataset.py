"""The base of every benchmark suite: upstream rows in, redline prompts out.

A benchmark module only says how to read its upstream files into `Item`s (text, the
benchmark's own labels, what a safe model should do). This base turns items into prompts:
stable ids from the benchmark's row ids, the redline category through the suite's crosswalk
file, the original labels kept beside it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from redline.errors import UserError
from redline.ids import stable_id
from redline.records import Expected, Message, Prompt
from redline.suites.base import Suite
from redline.suites.download import source
from redline.suites.readers import Row, need, table_rows
from redline.suites.sampling import stratified_sample
from redline.taxonomy import Crosswalk, load_crosswalk

QUICK_LIMIT = 48


@dataclass(frozen=True, slots=True)
class Item:
    """One upstream row, before it is mapped onto redline's taxonomy."""

    key: str
    text: str
    categories: tuple[str, ...] = ()
    expected: Expected = "refuse"
    labels: dict[str, Any] = field(default_factory=dict)
    system: str | None = None
    source: str = ""
    about: str | None = None  # the plain request inside a wrapper, for keyword rules

    @property
    def topic(self) -> str:
        return self.about or self.text


def prompt_from(suite: str, item: Item, walk: Crosswalk) -> Prompt:
    """The redline prompt for an item; the id depends only on the suite and the row's key."""
    user = Message(role="user", content=item.text)
    messages = (Message(role="system", content=item.system), user) if item.system else (user,)
    return Prompt(
        id=stable_id("prompt", suite, item.key),
        suite=suite,
        messages=messages,
        category=walk.resolve(item.categories, item.topic),
        expected=item.expected,
        source=item.source,
        labels=item.labels,
    )


class ItemSuite(Suite):
    """A suite whose rows are `Item`s mapped onto redline through a crosswalk."""

    @abstractmethod
    def items(self) -> Iterator[Item]:
        """Every upstream row, in file order."""

    def crosswalk(self) -> Crosswalk:
        return load_crosswalk(self.info.name)

    def readiness(self) -> str:
        """ "ready", or what keeps `prompts()` from working (shown by `redline suites list`)."""
        return "ready"

    def prompt_items(self) -> Iterator[Item]:
        """The items prompts are built from; a suite may enrich `items()` here (documents...)."""
        return self.items()

    def prompts(self, *, quick: bool = False) -> Iterator[Prompt]:
        walk = self.crosswalk()
        prompts = (prompt_from(self.info.name, item, walk) for item in self.prompt_items())
        if quick:
            yield from stratified_sample(prompts, QUICK_LIMIT, seed=0)
        else:
            yield from prompts

    def count(self) -> int:
        """How many prompts the suite holds, read from the data."""
        return sum(1 for _ in self.items())

    def categories(self) -> Counter[str]:
        """Prompts per redline category."""
        walk = self.crosswalk()
        return Counter(walk.resolve(i.categories, i.topic) for i in self.items())


class DatasetSuite(ItemSuite):
    """A suite read from one dataset folder (see `suites/data/sources.yaml`)."""

    dataset: ClassVar[str]

    def __init__(self, *, offline: bool | None = None) -> None:
        self.offline = offline

    def file(self, path: str) -> Path:
        """A file of this suite's dataset folder, fetched from upstream if missing."""
        return source(self.dataset).fetch(path, offline=self.offline)

    def required_files(self) -> Sequence[str]:
        return list(source(self.dataset).files)

    def available(self) -> bool:
        """Whether every file is on disk already (so listing needs no network)."""
        src = source(self.dataset)
        return all(src.available(p) for p in self.required_files())

    def readiness(self) -> str:
        if self.available():
            return "ready"
        return "not downloaded" + (" (gated: needs HF_TOKEN)" if source(self.dataset).gated else "")


def table_items(
    path: Path,
    *,
    text: str,
    key: str | None = None,
    category: str | None = None,
    labels: Sequence[str] = (),
    expected: Expected | Callable[[Row, int], Expected] = "refuse",
    source: str = "",
) -> Iterator[Item]:
    """Items from a table whose columns map straight onto an item's fields."""
    required = [c for c in (text, key, category, *labels) if c]
    for number, row in table_rows(path, required):
        kept = {name: row[name] for name in labels}
        yield Item(
            key=need(row, key, path, number) if key else f"{path.name}:{number}",
            text=need(row, text, path, number),
            categories=(str(row[category]),) if category and row.get(category) else (),
            expected=expected(row, number) if callable(expected) else expected,
            labels=kept,
            source=source,
        )


def choose(suite: str, what: str, wanted: Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    """The subset a user asked for (languages, splits, ...), or a UserError naming the options."""
    options = list(known)
    chosen = tuple(str(w) for w in wanted)
    for value in chosen:
        if value not in options:
            raise UserError(f"{suite}: unknown {what} {value!r} (known: {', '.join(options)})")
    return chosen
