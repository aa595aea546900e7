"""The HTML report: one self-contained file (no CDN, works offline), model text always escaped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from jinja2 import Environment, PackageLoader, select_autoescape

from redline.metrics import Rate, Results
from redline.store import RunStore, Transcript

#: Beyond this many transcripts the report lists counts only; the store keeps them all.
MAX_TRANSCRIPTS = 5000
CHART_WIDTH = 360

_env = Environment(
    loader=PackageLoader("redline.report", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Bar:
    """One bar with its confidence whisker, in chart pixels."""

    label: str
    rate: Rate | None

    @property
    def width(self) -> float:
        return 0.0 if self.rate is None else self.rate.rate * CHART_WIDTH

    @property
    def low(self) -> float:
        return 0.0 if self.rate is None else self.rate.low * CHART_WIDTH

    @property
    def high(self) -> float:
        return 0.0 if self.rate is None else self.rate.high * CHART_WIDTH


def anchor(category: str, expected: str) -> str:
    return f"t-{category}-{expected}".replace(" ", "_")


@dataclass(frozen=True)
class TranscriptGroup:
    category: str
    expected: str
    items: list[Transcript]

    @property
    def anchor(self) -> str:
        return anchor(self.category, self.expected)


def _groups(transcripts: Iterator[Transcript]) -> Iterator[TranscriptGroup]:
    def key(t: Transcript) -> tuple[str, str]:
        return t.prompt.category, t.prompt.expected

    for (category, expected), items in groupby(transcripts, key=key):
        yield TranscriptGroup(category, expected, list(items))


def render_html(results: Results, store: RunStore) -> str:
    template = _env.get_template("report.html.j2")
    return template.render(
        results=results,
        chart_width=CHART_WIDTH,
        bars=[
            (
                name,
                Bar("attack success", cell.attack_success),
                Bar("false refusal", cell.false_refusal),
            )
            for name, cell in results.by_category.items()
        ],
        groups=_groups(store.transcripts(limit=MAX_TRANSCRIPTS)),
        max_transcripts=MAX_TRANSCRIPTS,
        total_responses=results.overall.responses,
        anchor=anchor,
    )
