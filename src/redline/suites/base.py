"""The suite interface: a named source of prompts with what a safe model should do with each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from redline.records import Prompt


@dataclass(frozen=True)
class SuiteInfo:
    """What `redline suites list` shows about a suite."""

    name: str
    description: str
    licence: str
    source: str
    taxonomy: str = "redline"


class Suite(ABC):
    info: SuiteInfo

    @abstractmethod
    def prompts(self, *, quick: bool = False) -> Iterator[Prompt]:
        """Every prompt, in a stable order; `quick` keeps a small representative subset."""
