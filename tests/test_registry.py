from __future__ import annotations

import sys
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.registry import Registry, RegistryError


def test_lazy_entries_import_on_first_use() -> None:
    registry: Registry[object] = Registry("things")
    registry.register("path", "pathlib:Path")
    assert "path" in registry
    assert registry.get("path") is Path


def test_unknown_name_is_a_user_error_listing_known_names() -> None:
    registry: Registry[object] = Registry("things")
    registry.register("alpha", dict)
    with pytest.raises(UserError, match="unknown things 'beta' \\(known: alpha\\)"):
        registry.get("beta")


def test_name_collisions_are_refused() -> None:
    registry: Registry[object] = Registry("things")
    registry.register("alpha", dict)
    with pytest.raises(RegistryError, match="already registered"):
        registry.register("alpha", list)


def test_third_party_plugins_arrive_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fake installed distribution declares a judge; the registry finds it by name."""
    (tmp_path / "acme_judge.py").write_text(
        "from redline.judges.keyword import KeywordJudge\n"
        "class AcmeJudge(KeywordJudge):\n    name = 'acme'\n"
    )
    dist = tmp_path / "acme_judge-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-judge\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[redline.judges]\nacme = acme_judge:AcmeJudge\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from redline.judges import judges

    fresh: Registry[object] = Registry("judges")
    assert "acme" in fresh
    assert fresh.get("acme").__name__ == "AcmeJudge"
    assert "keyword" in judges
    sys.modules.pop("acme_judge", None)
