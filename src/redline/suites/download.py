"""Benchmark files on disk: found under dataset_root(), fetched from upstream when missing.

Each dataset is one folder laid out exactly as its upstream repository publishes it, so a
folder copied from GitHub or the Hugging Face hub by hand works as well as a download. The
sources (repository, commit, checksums) are data, in `suites/data/sources.yaml`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from redline.cache import HF_TOKEN_ENV, cache_dir, download, hub_endpoint, is_offline
from redline.errors import UserError


def dataset_root() -> Path:
    """Where dataset folders live: $REDLINE_DATASETS, else `<cache>/datasets`."""
    root = os.environ.get("REDLINE_DATASETS")
    return Path(root) if root else cache_dir() / "datasets"


@dataclass(frozen=True)
class UpstreamFile:
    sha256: str | None
    upstream: str


@dataclass(frozen=True)
class Source:
    """One dataset folder and the repository its files come from."""

    folder: str
    host: str  # "github" or "hub"
    repo: str
    ref: str
    files: Mapping[str, UpstreamFile]
    gated: bool = False

    @property
    def page(self) -> str:
        if self.host == "hub":
            return f"https://huggingface.co/datasets/{self.repo}"
        return f"https://github.com/{self.repo}/tree/{self.ref}"

    def local(self, path: str) -> Path:
        return dataset_root() / self.folder / path

    def url(self, path: str) -> str:
        remote = quote(self._entry(path).upstream)
        if self.host == "hub":
            return (
                f"{hub_endpoint()}/datasets/{self.repo}/resolve/{quote(self.ref, safe='')}/{remote}"
            )
        return f"https://raw.githubusercontent.com/{self.repo}/{self.ref}/{remote}"

    def available(self, path: str) -> bool:
        return self.local(path).is_file()

    def fetch(self, path: str, *, offline: bool | None = None) -> Path:
        """The local file, downloading it first unless it is already there or we are offline."""
        local = self.local(path)
        if local.is_file():
            return local
        if is_offline(offline):
            raise UserError(
                f"offline and {local} is missing: run once online or place the file there "
                f"({self.page})"
            )
        token = os.environ.get(HF_TOKEN_ENV) if self.host == "hub" else None
        if self.gated and not token:
            raise UserError(
                f"{self.repo} is gated on the Hugging Face hub: accept its terms at {self.page} "
                f"and set {HF_TOKEN_ENV} to a token with access"
            )
        download(self.url(path), local, sha256=self._entry(path).sha256, token=token)
        return local

    def _entry(self, path: str) -> UpstreamFile:
        try:
            return self.files[path]
        except KeyError:
            raise ValueError(f"{path!r} is not a known file of dataset {self.folder!r}") from None


def _parse_source(folder: str, raw: dict[str, Any]) -> Source:
    host = "hub" if "hub" in raw else "github"
    prefix = raw.get("prefix", "")
    files: dict[str, UpstreamFile] = {}
    for path, spec in (raw.get("files") or {}).items():
        if isinstance(spec, dict):
            files[path] = UpstreamFile(spec.get("sha256"), prefix + spec.get("upstream", path))
        else:
            files[path] = UpstreamFile(spec, prefix + path)
    return Source(folder, host, raw[host], str(raw["ref"]), files, bool(raw.get("gated", False)))


@cache
def sources() -> dict[str, Source]:
    """Every known dataset folder, from `suites/data/sources.yaml`."""
    text = resources.files("redline.suites").joinpath("data/sources.yaml").read_text("utf-8")
    return {folder: _parse_source(folder, raw) for folder, raw in yaml.safe_load(text).items()}


def source(folder: str) -> Source:
    return sources()[folder]
