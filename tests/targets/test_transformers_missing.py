"""Without torch or transformers the target says which extra to install (needs neither)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from redline.errors import UserError
from redline.spec import TargetSpec
from redline.targets import build_target


@pytest.mark.parametrize("missing", ["torch", "transformers"])
def test_a_missing_dependency_names_the_extra(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # `import` now raises ImportError
    target = build_target(TargetSpec(type="transformers", model="Qwen/Qwen2.5-0.5B-Instruct"))
    with pytest.raises(UserError, match=r"pip install 'redline\[transformers\]'"):
        asyncio.run(target.start())
    asyncio.run(target.close())
