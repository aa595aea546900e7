"""Contract over every registered judge: built from a spec, one judgement per item, in order.

Judges that ask a model get the scripted loopback server as their target; everything else
is built with its defaults. Nothing here leaves the machine.
"""

from __future__ import annotations

from typing import Any

import pytest

from redline.judges import Judge, build_judge, judge_id_of, judges
from redline.records import Judgement
from redline.spec import PluginSpec
from tests.judges.guard_server import GuardServer
from tests.judges.helpers import ITEMS, run

MODEL_JUDGES = {"llama-guard-3", "llama-guard-4", "shieldgemma", "wildguard",
                "granite-guardian", "qwen3guard", "rubric"}  # fmt: skip


def args_for(name: str, server: GuardServer) -> dict[str, Any]:
    if name in MODEL_JUDGES:
        return {"target": server.target(name)}
    if name == "ensemble":
        return {
            "members": ["keyword", {"name": "wildguard", "args": args_for("wildguard", server)}]
        }
    return {}


@pytest.mark.parametrize("name", judges.names())
def test_every_judge_gives_one_judgement_per_item(name: str, guard_server: GuardServer) -> None:
    args = args_for(name, guard_server)
    judge = build_judge(PluginSpec(name=name, args=args))
    assert isinstance(judge, Judge)
    assert judge.name == name and judge.id == judge_id_of(PluginSpec(name=name, args=args))
    items = [*ITEMS, *ITEMS[::-1]]
    out = run(judge, items)
    assert len(out) == len(items) and all(isinstance(j, Judgement) for j in out)
    # In order: the same item gets the same judgement wherever it sits in the batch.
    assert out[: len(ITEMS)] == out[len(ITEMS) :][::-1]
    for j in out:
        assert j.error is not None or j.outcome is not None or j.harmful is not None
        assert j.score is None or 0.0 <= j.score <= 1.0


@pytest.mark.parametrize("name", sorted(MODEL_JUDGES | {"ensemble"}))
def test_model_judges_are_rebuilt_identically_from_their_recorded_args(
    name: str, guard_server: GuardServer
) -> None:
    judge = build_judge(PluginSpec(name=name, args=args_for(name, guard_server)))
    again = build_judge(PluginSpec(name=name, args=judge.args))
    assert again.id == judge.id
