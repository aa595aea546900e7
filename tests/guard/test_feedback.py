"""Human labels re-weight the judges (Hedge), and the weights survive a restart."""

from __future__ import annotations

import math
import urllib.request
from collections.abc import Callable
from pathlib import Path

import openai
import orjson

from tests.guard.conftest import KEY, policy_for
from tests.guard.test_security import post


def weights_in_metrics(url: str) -> dict[str, float]:
    with urllib.request.urlopen(f"{url}/metrics") as resp:
        text = resp.read().decode()
    found = {}
    for line in text.splitlines():
        if line.startswith("redline_guard_judge_weight{") and 'stage="input"' in line:
            judge = line.split('judge="')[1].split('"')[0]
            found[judge] = float(line.rsplit(" ", 1)[1])
    return found


def label(url: str, decision_id: str, *, harmful: bool) -> tuple[int, dict]:
    return post(
        f"{url}/v1/feedback", orjson.dumps({"decision_id": decision_id, "harmful": harmful})
    )


def test_labels_move_weight_to_the_judge_that_agreed(
    serve_guard: Callable[..., str], tmp_path: Path
) -> None:
    policy = policy_for(tmp_path, None)  # no upstream: moderation and feedback only
    url = serve_guard(policy)
    assert weights_in_metrics(url) == {"lenient": 0.5, "strict": 0.5}
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)
    result = client.moderations.create(input=["What is 2+2?", "Is the sky blue?"]).results
    ids = [r.model_extra["decision_id"] for r in result if r.model_extra]

    # "strict" (threshold 0) called these harmful, "lenient" (0.999) did not.
    status, answer = label(url, ids[0], harmful=False)
    assert status == 200 and answer["agreed"] is True and answer["stage"] == "input"
    eta = 0.5
    expected_strict = math.exp(-eta) / (1 + math.exp(-eta))
    assert math.isclose(answer["weights"]["strict"], expected_strict)
    assert label(url, ids[0], harmful=True)[0] == 409  # one label per decision
    label(url, ids[1], harmful=False)
    after_two = weights_in_metrics(url)
    assert after_two["strict"] < expected_strict < after_two["lenient"]

    restarted = serve_guard(policy)  # a new service reading the same audit log
    assert weights_in_metrics(restarted) == after_two
