"""The running guard: what one service holds, and the per-request checks every route shares.

Everything is built from the policy up front, so a policy naming an unknown judge or a
custom category nothing can detect fails before the port opens.
"""

from __future__ import annotations

import asyncio
import inspect
import math
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from redline.errors import UserError
from redline.guard.audit import AuditLog
from redline.guard.auth import KeyRing, RateLimiter
from redline.guard.categories import CategoryRules
from redline.guard.checks import Decision, Stage, StageChecker
from redline.guard.errors import ApiError
from redline.guard.metrics import GuardMetrics
from redline.guard.policy import CustomCategory, JudgeEntry, Policy, StageChecks
from redline.guard.upstream import UpstreamClient
from redline.guard.weights import restore_weights
from redline.judges import Judge, build_judge, judges
from redline.spec import PluginSpec

#: Judges whose constructor takes this argument read custom categories described in words.
CUSTOM_CATEGORIES_ARG = "custom_categories"
ANONYMOUS = "anonymous"


def _reads_descriptions(entry: JudgeEntry) -> bool:
    try:
        parameters = inspect.signature(judges.get(entry.name)).parameters
    except (TypeError, ValueError):
        return False
    return CUSTOM_CATEGORIES_ARG in parameters


def build_stage_judges(checks: StageChecks, custom: Sequence[CustomCategory]) -> dict[str, Judge]:
    """The stage's judges by key; those that read descriptions get the custom categories."""
    built: dict[str, Judge] = {}
    for entry in checks.judges:
        args = dict(entry.args)
        if custom and _reads_descriptions(entry):
            args.setdefault(CUSTOM_CATEGORIES_ARG, {c.id: c.description for c in custom})
        built[entry.key] = build_judge(PluginSpec(name=entry.name, args=args))
    return built


def _check_custom_detectable(policy: Policy) -> None:
    entries = [*policy.input.judges, *policy.output.judges]
    if any(_reads_descriptions(e) for e in entries):
        return
    for category in policy.categories.custom:
        if not category.patterns:
            raise UserError(
                f"custom category {category.id!r} has no patterns and no judge in the policy "
                f"reads category descriptions (one taking `{CUSTOM_CATEGORIES_ARG}`)"
            )


class Guard:
    """Checks, audit log, keys, rate limits, metrics and the upstream client of one service."""

    def __init__(self, policy: Policy) -> None:
        _check_custom_detectable(policy)
        self.policy = policy
        self.metrics = GuardMetrics()
        self.keys = KeyRing(policy.auth.keys)
        limit = policy.auth.rate_limit
        self.limiter = RateLimiter(limit) if limit is not None else None
        rules = CategoryRules(policy.categories)
        stage_judges = {
            "input": build_stage_judges(policy.input, policy.categories.custom),
            "output": build_stage_judges(policy.output, policy.categories.custom),
        }
        self.audit = AuditLog(policy.audit.path, redact=policy.audit.redact)
        self.checkers: dict[Stage, StageChecker] = {}
        for stage in ("input", "output"):
            found = stage_judges[stage]
            saved = self.audit.weights(stage)
            weights = restore_weights(saved, list(found), policy.feedback.eta)
            self.checkers[stage] = StageChecker(stage, found, rules, weights, policy.abstain)
        self.upstream = UpstreamClient(policy.upstream) if policy.upstream else None
        self._flusher: asyncio.Task[None] | None = None
        self.publish_weights()

    async def start(self) -> None:
        self._flusher = asyncio.create_task(self.audit.flush_every())
        if self.upstream is not None:
            await self.upstream.start()

    async def close(self) -> None:
        if self.upstream is not None:
            await self.upstream.close()
        for checker in self.checkers.values():
            for judge in checker.judges.values():
                await judge.close()
        if self._flusher is not None:
            self._flusher.cancel()
        self.audit.close()

    def publish_weights(self) -> None:
        for stage, checker in self.checkers.items():
            weights = checker.weights.weights if checker.weights is not None else {}
            for name, weight in weights.items():
                self.metrics.weights.labels(stage=stage, judge=name).set(weight)

    def observe(
        self, decisions: Sequence[Decision], *, request_id: str, client: str, route: str
    ) -> None:
        """Audit and count decisions."""
        self.audit.record(decisions, request_id=request_id, client=client, route=route)
        for d in decisions:
            self.metrics.decisions.labels(stage=d.stage, action=d.action).inc()
            for category, flag in d.categories.items():
                if flag:
                    self.metrics.flags.labels(stage=d.stage, category=category).inc()


def guard_of(request: Request) -> Guard:
    guard: Guard = request.app.state.guard
    return guard


_bearer = HTTPBearer(auto_error=False, description="An API key made by `redline serve-key`.")


async def authorize(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> str:
    """The client's name (its key's name), after the key and rate-limit checks."""
    guard = guard_of(request)
    client = ANONYMOUS
    if guard.keys.required:
        key = credentials.credentials if credentials is not None else None
        name = guard.keys.name_of(key) if key else None
        if name is None:
            raise ApiError(
                401,
                "missing or invalid API key" if key else "an API key is required",
                kind="authentication_error",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        client = name
    if guard.limiter is not None:
        bucket = client if guard.keys.required else _address(request)
        wait = guard.limiter.acquire(bucket)
        if wait > 0:
            raise ApiError(
                429,
                "rate limit reached",
                kind="rate_limit_error",
                code="rate_limit_exceeded",
                headers={"Retry-After": str(math.ceil(wait))},
            )
    return client


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


#: The client's name, for routes: `client: Client`.
Client = Annotated[str, Depends(authorize)]
