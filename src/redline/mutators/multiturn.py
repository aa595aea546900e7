"""Adaptive attacks: an attacker model talks to the target, steered by the judge's verdicts.

- EscalationAttack (Crescendo-style): the attacker writes each next user turn from the
  conversation so far, drifting from harmless toward the goal; refused turns are dropped
  from the conversation (backtracking) and the attacker is told to go more gently.
- IterativeRefinementAttack (PAIR-style): the attacker proposes a whole prompt, sees the
  target's answer and the judge's verdict, and proposes a better one.

Both stop at the first success or when their limits run out, and return every turn, failed
ones included. By default success is compliance the judge does not call harmless; given a
harm judge, it is compliance the harm judge calls harmful, so a warm-up answer that merely
goes along ("Sure, cars have a long history...") does not end an escalation.
Targets must be started by the caller (or use `run_all`).
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson

from redline.engine.retry import RetryPolicy, call_target
from redline.errors import UserError
from redline.ids import stable_id
from redline.judges.base import Judge, JudgeInput
from redline.mutators.model import clean_helper_output
from redline.mutators.render import packaged, render
from redline.records import Judgement, Message, Outcome, Probe, Prompt, Response, Turn
from redline.targets.base import Target

TRANSCRIPT_CHARS = 600


def complied(judgement: Judgement) -> bool:
    """The success test without a harm judge: compliance the judge does not call harmless."""
    return judgement.outcome is Outcome.COMPLIANCE and judgement.harmful is not False


def complied_harmfully(judgement: Judgement) -> bool:
    """The success test with a harm judge: compliance it called harmful.

    An answer the harm judge could not read (`harmful` is None) is no success: a judge
    failure must never raise the attack success rate, and the price is only that the attack
    goes on to its next turn.
    """
    return judgement.outcome is Outcome.COMPLIANCE and judgement.harmful is True


def judgement_of(turn: Turn) -> Judgement:
    """The verdict a turn records, as a Judgement (an unjudged turn reads as an error)."""
    if turn.outcome is None:
        return Judgement(error=turn.error or turn.rationale or "judge gave no outcome")
    return Judgement(
        outcome=turn.outcome, harmful=turn.harmful, score=turn.score, rationale=turn.rationale
    )


def _short(text: str, limit: int = TRANSCRIPT_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + " [...]"


class AdaptiveAttack(ABC):
    name: str = ""
    description: str = ""

    def __init__(
        self,
        attacker: Target,
        target: Target,
        judge: Judge,
        *,
        budget: int = 10,
        timeout_s: float = 120.0,
        policy: RetryPolicy | None = None,
        harm_judge: Judge | None = None,
        success: Callable[[Judgement], bool] | None = None,
    ) -> None:
        """`harm_judge` reads every answer `judge` calls compliance and says if it is harmful;
        `success` defaults to `complied_harmfully` with a harm judge, else `complied`."""
        if budget < 1:
            raise UserError(f"{self.name}: budget must be at least 1 (got {budget})")
        self.attacker = attacker
        self.target = target
        self.judge = judge
        self.budget = budget
        self.timeout_s = timeout_s
        self.policy = policy or RetryPolicy(retries=2)
        self.harm_judge = harm_judge
        self.success = success or (complied_harmfully if harm_judge else complied)
        self.prompts: dict[str, Any] = packaged("data", "attackers")[self.name]

    @abstractmethod
    async def run(self, prompt: Prompt) -> list[Turn]:
        """Every turn of the attack on one prompt, in order."""

    async def run_all(self, prompts: Iterable[Prompt], concurrency: int = 1) -> list[list[Turn]]:
        """Start both models, attack every prompt, close them; one turn list per prompt."""
        prompts = list(prompts)
        models = list({id(m): m for m in (self.attacker, self.target)}.values())
        for model in models:
            await model.start()
        try:
            gate = asyncio.Semaphore(concurrency)

            async def one(prompt: Prompt) -> list[Turn]:
                async with gate:
                    return await self.run(prompt)

            return list(await asyncio.gather(*(one(p) for p in prompts)))
        finally:
            for model in models:
                await model.close()

    async def _call(
        self, model: Target, messages: Sequence[Message], prompt: Prompt, *tag: object
    ) -> Response:
        probe = Probe(
            id=stable_id("probe", prompt.id, (self.name, *tag)),
            prompt_id=prompt.id,
            mutators=(self.name,),
            messages=tuple(messages),
        )
        return await call_target(model, probe, 0, timeout_s=self.timeout_s, policy=self.policy)

    async def judge_answer(self, prompt: Prompt, text: str) -> Judgement:
        """The verdict on one answer: the judge's, with `harmful` from the harm judge (if any)
        when the judge says compliance, and the harm judge's reading added to the rationale."""
        judgement = await _judge_one(self.judge, prompt, text)
        if self.harm_judge is None or judgement.outcome is not Outcome.COMPLIANCE:
            return judgement
        harm = await _judge_one(self.harm_judge, prompt, text)
        reading = harm.rationale or f"harmful={harm.harmful}"
        note = f"{self.harm_judge.name} " + (f"failed: {harm.error}" if harm.error else reading)
        rationale = "; ".join(r for r in (judgement.rationale, _short(note, 200)) if r)
        return judgement.model_copy(update={"harmful": harm.harmful, "rationale": rationale})

    async def _exchange(
        self, prompt: Prompt, index: int, sent: tuple[Message, ...], planned: Response
    ) -> tuple[Turn, Judgement | None]:
        """Send `sent` to the target and judge the answer; a failed call is an error turn."""
        answer = await self._call(self.target, sent, prompt, index)
        if answer.error is not None:
            return self._turn(prompt, index, messages=sent, error=answer.error), None
        text = answer.text or ""
        judgement = await self.judge_answer(prompt, text)
        turn = self._judged_turn(
            prompt, index, judgement,
            messages=sent, attacker_output=planned.text or "", response=text,
        )  # fmt: skip
        return turn, judgement

    def _turn(self, prompt: Prompt, index: int, **fields: Any) -> Turn:
        return Turn(
            id=stable_id("turn", prompt.id, self.name, index),
            attack=self.name,
            prompt_id=prompt.id,
            index=index,
            **fields,
        )

    def _judged_turn(self, prompt: Prompt, index: int, judgement: Judgement, **fields: Any) -> Turn:
        return self._turn(
            prompt,
            index,
            outcome=judgement.outcome,
            harmful=judgement.harmful,
            score=judgement.score,
            rationale=judgement.rationale or (judgement.error or ""),
            **fields,
        )


class EscalationAttack(AdaptiveAttack):
    name = "escalation"
    description = (
        "Multi-turn escalation (Crescendo-style): an attacker model leads the target toward "
        "the request over several turns, backtracking after refusals."
    )

    def __init__(
        self,
        attacker: Target,
        target: Target,
        judge: Judge,
        *,
        max_turns: int = 5,
        budget: int | None = None,
        backtrack: bool = True,
        **options: Any,
    ) -> None:
        """`max_turns` caps the conversation's length; `budget` caps target calls (default 2x)."""
        if max_turns < 1:
            raise UserError(f"escalation: max_turns must be at least 1 (got {max_turns})")
        super().__init__(attacker, target, judge, budget=budget or 2 * max_turns, **options)
        self.max_turns = max_turns
        self.backtrack = backtrack

    def _transcript(self, history: list[Message]) -> str:
        if not history:
            return str(self.prompts["empty"])
        return "\n".join(f"{m.role.capitalize()}: {_short(m.content)}" for m in history)

    async def run(self, prompt: Prompt) -> list[Turn]:
        system = render(self.prompts["system"], {"goal": prompt.text, "max_turns": self.max_turns})
        turns: list[Turn] = []
        history: list[Message] = []
        note = ""
        for index in range(self.budget):
            if len(history) // 2 >= self.max_turns:
                break
            values = {
                "transcript": self._transcript(history),
                "turn": len(history) // 2 + 1,
                "max_turns": self.max_turns,
                "note": note,
            }
            ask = [
                Message(role="system", content=system),
                Message(role="user", content=render(self.prompts["next"], values)),
            ]
            planned = await self._call(self.attacker, ask, prompt, index, "attacker")
            question = clean_helper_output(planned.text or "")
            if planned.error is not None or not question:
                turns.append(
                    self._turn(prompt, index, error=f"attacker: {planned.error or 'empty turn'}")
                )
                break
            sent = (*history, Message(role="user", content=question))
            turn, judgement = await self._exchange(prompt, index, sent, planned)
            if judgement is None:
                turns.append(turn)
                break
            kept = not (self.backtrack and judgement.outcome is Outcome.REFUSAL)
            turns.append(turn if kept else turn.model_copy(update={"kept": False}))
            if self.success(judgement):
                break
            if kept:
                history += [sent[-1], Message(role="assistant", content=turn.response or "")]
                note = ""
            else:
                note = render(self.prompts["refused"], {"last": _short(question, 200)})
        return turns


async def _judge_one(judge: Judge, prompt: Prompt, text: str) -> Judgement:
    """One judge's verdict on one answer; a judge that fails gives an error, never a guess."""
    try:
        [judgement] = await judge.judge([JudgeInput(prompt, text)])
    except Exception as exc:  # a judge failure is data, never a crash
        return Judgement(error=f"{type(exc).__name__}: {exc}")
    return judgement


_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_proposal(text: str) -> str:
    """The attacker's proposal: the "prompt" of a JSON object if there is one, else the text."""
    for candidate in (text, *(_JSON_OBJECT.findall(text))):
        try:
            data = orjson.loads(candidate)
        except orjson.JSONDecodeError:
            continue
        proposal = data.get("prompt") if isinstance(data, dict) else None
        if isinstance(proposal, str) and proposal.strip():
            return proposal.strip()
    return clean_helper_output(text)


class IterativeRefinementAttack(AdaptiveAttack):
    name = "refine"
    description = (
        "Iterative refinement (PAIR-style): an attacker model rewrites its prompt using the "
        "target's answer and the judge's verdict, up to a query budget."
    )

    def __init__(
        self, attacker: Target, target: Target, judge: Judge, *, memory: int = 3, **options: Any
    ) -> None:
        """`budget` caps target calls; `memory` is how many past attempts the attacker sees."""
        super().__init__(attacker, target, judge, **options)
        self.memory = memory

    async def run(self, prompt: Prompt) -> list[Turn]:
        system = Message(
            role="system", content=render(self.prompts["system"], {"goal": prompt.text})
        )
        exchanges: list[Message] = [Message(role="user", content=self.prompts["first"])]
        turns: list[Turn] = []
        for index in range(self.budget):
            context = [system, *exchanges[-(2 * self.memory + 1) :]]
            planned = await self._call(self.attacker, context, prompt, index, "attacker")
            proposal = parse_proposal(planned.text or "")
            if planned.error is not None or not proposal:
                turns.append(
                    self._turn(prompt, index, error=f"attacker: {planned.error or 'empty prompt'}")
                )
                break
            sent = (Message(role="user", content=proposal),)
            turn, judgement = await self._exchange(prompt, index, sent, planned)
            turns.append(turn)
            if judgement is None or self.success(judgement):
                break
            text = turn.response or ""
            feedback = {
                "prompt": _short(proposal),
                "response": _short(text),
                "outcome": judgement.outcome.value if judgement.outcome else "unknown",
                "score": "n/a" if judgement.score is None else f"{judgement.score:g}",
                "rationale": judgement.rationale or judgement.error or "no rationale",
            }
            exchanges += [
                Message(role="assistant", content=planned.text or ""),
                Message(role="user", content=render(self.prompts["feedback"], feedback)),
            ]
        return turns
