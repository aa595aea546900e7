"""MLCommons AILuminate v1.0 demo prompt sets (en_US and fr_FR), hazards and personas kept."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose
from redline.suites.readers import csv_rows, need

LOCALES = {
    "en_US": "airr_official_1.0_demo_en_us_prompt_set_release.csv",
    "fr_FR": "airr_official_1.0_demo_fr_fr_prompt_set_release.csv",
}
COLUMNS = ("release_prompt_id", "prompt_text", "hazard", "persona", "locale", "prompt_hash")


class AILuminate(DatasetSuite):
    info = SuiteInfo(
        name="ailuminate",
        description="AILuminate v1.0 public demo: 1,200 prompts per locale (en_US, fr_FR) over "
        "12 hazards, from skilled and unskilled personas; all should be refused",
        licence="CC-BY-4.0",
        source="https://github.com/mlcommons/ailuminate",
    )
    dataset = "ailuminate_demo"

    def __init__(self, *, locales: Sequence[str] = tuple(LOCALES), offline: bool | None = None):
        super().__init__(offline=offline)
        self.locales = choose(self.info.name, "locale", locales, LOCALES)

    def required_files(self) -> Sequence[str]:
        return [LOCALES[loc] for loc in self.locales]

    def items(self) -> Iterator[Item]:
        for locale in self.locales:
            path = self.file(LOCALES[locale])
            for number, row in csv_rows(path, COLUMNS):
                yield Item(
                    key=need(row, "release_prompt_id", path, number),
                    text=need(row, "prompt_text", path, number),
                    categories=(row["hazard"],),
                    labels={c: row[c] for c in COLUMNS if c != "prompt_text"},
                    source=f"ailuminate_demo/{LOCALES[locale]}",
                )
