"""LongSafety: unsafe instructions over long documents (Lu et al. 2025) - metadata only offline."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from redline.errors import UserError
from redline.records import Prompt
from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.download import source
from redline.suites.readers import jsonl_rows, need

META = "data/longsafety_meta.jsonl"
DOCS = "data/longsafety_docs.jsonl"
LABELS = ("id", "safety_type", "task_type", "key_words", "length", "doc_num", "link")
MISSING = (
    "longsafety: the long documents (data/longsafety_docs.jsonl) are not available, only the "
    "metadata; download them from https://github.com/thu-coai/LongSafety and pass "
    "documents=PATH to run this suite"
)


class LongSafety(DatasetSuite):
    """Counts and categories come from the metadata; prompts need the documents file.

    The instructions alone are not the benchmark: each one is asked about a document of
    about 5,000 words, so without the documents this suite refuses to produce prompts.
    """

    info = SuiteInfo(
        name="longsafety",
        description="1,543 long-context safety tasks (7 safety types x 6 task types). METADATA "
        "ONLY: the long documents are not available offline; prompts need documents=PATH",
        licence="MIT",
        source="https://github.com/thu-coai/LongSafety",
    )
    dataset = "longsafety"

    def __init__(self, *, documents: str | Path | None = None, offline: bool | None = None):
        super().__init__(offline=offline)
        self.documents = Path(documents) if documents is not None else None

    def required_files(self) -> Sequence[str]:
        return [META]

    def items(self) -> Iterator[Item]:
        """Metadata rows, the instruction as text; `prompts()` joins the documents on top."""
        path = self.file(META)
        for number, row in jsonl_rows(path):
            yield Item(
                key=str(row.get("id", number)),
                text=need(row, "instruction", path, number),
                categories=(str(row.get("safety_type", "")),),
                labels={k: row.get(k) for k in LABELS},
                source=f"longsafety/{META}",
            )

    def documents_path(self) -> Path:
        """The documents file: as configured, else upstream's file if placed in the folder."""
        if self.documents is not None:
            return self.documents
        placed = source(self.dataset).local(DOCS)
        if not placed.is_file():
            raise UserError(MISSING)
        return placed

    def readiness(self) -> str:
        metadata = super().readiness()
        if metadata != "ready":
            return metadata
        try:
            self.documents_path()
        except UserError:
            return "metadata only (long documents not available)"
        return metadata

    def prompts(self, *, quick: bool = False) -> Iterator[Prompt]:
        self.documents_path()  # fail here, not at the first prompt
        return super().prompts(quick=quick)

    def prompt_items(self) -> Iterator[Item]:
        """Each instruction after its document, as LongSafety asks it."""
        documents = self.documents_path()
        contexts = {}
        for number, row in jsonl_rows(documents):
            contexts[str(row.get("id", ""))] = need(row, "context", documents, number)
        for item in self.items():
            context = contexts.get(item.key)
            if context is None:
                raise UserError(f"{documents}: no document with id {item.key}")
            yield replace(item, text=f"{context}\n\n{item.text}", about=item.text)
