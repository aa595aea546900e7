"""Plugin registries: the only module-level state in redline.

Built-in plugins are registered lazily as "module:attribute" strings so that optional
dependencies (llama.cpp, transformers, ...) are imported only when a plugin is used.
Third-party plugins arrive through Python entry points in the group `redline.<kind>`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from redline.errors import UserError

T = TypeVar("T")


class RegistryError(UserError, LookupError):
    """An unknown plugin name, or two plugins claiming one name."""


class Registry(Generic[T]):
    """Name -> factory, filled from built-ins and the `redline.<kind>` entry-point group."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, str | Callable[..., T]] = {}
        self._entry_points_loaded = False

    def register(self, name: str, factory: str | Callable[..., T]) -> None:
        if name in self._entries:
            raise RegistryError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = factory

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=f"redline.{self.kind}"):
            if ep.name not in self._entries:
                self._entries[ep.name] = ep.value

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> Callable[..., T]:
        """The factory registered under `name`, importing it on first use."""
        self._load_entry_points()
        try:
            factory = self._entries[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise RegistryError(f"unknown {self.kind} {name!r} (known: {known})") from None
        if isinstance(factory, str):
            module_name, _, attr = factory.partition(":")
            factory = getattr(importlib.import_module(module_name), attr)
            self._entries[name] = factory
        return factory
