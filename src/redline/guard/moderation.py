"""POST /v1/moderations, in the shape of OpenAI's moderation API.

Categories are the policy's taxonomy (plus custom ones and the fallback), not OpenAI's
own list; each result also carries `decision_id` (for /v1/feedback) and `action`
(allow, block, or review when the judges abstained and the policy asks for a person).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Request
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from starlette.responses import Response

from redline.guard.checks import Decision, Stage, Subject
from redline.guard.errors import ApiError
from redline.guard.service import Client, Guard, guard_of

router = APIRouter(tags=["moderation"])


class TextPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["text"]
    text: str


class ImagePart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["image_url"]
    image_url: dict[str, Any]


Part = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class ModerationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: One text, a batch of texts, or one multi-part input (text parts only).
    input: (
        str | Annotated[list[str], Field(min_length=1)] | Annotated[list[Part], Field(min_length=1)]
    )
    model: str | None = None

    @field_validator("input", mode="wrap")
    @classmethod
    def _one_form(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """One clear complaint instead of one per alternative of the union."""
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(
                "must be a string, a non-empty list of strings, or a non-empty list of "
                "content parts"
            ) from None


class ModerationResult(BaseModel):
    flagged: bool
    categories: dict[str, bool]
    category_scores: dict[str, float]
    category_applied_input_types: dict[str, list[Literal["text"]]]
    decision_id: str
    action: Literal["allow", "block", "review"]


class ModerationResponse(BaseModel):
    id: str
    model: str
    results: list[ModerationResult]


def result_of(decision: Decision) -> dict[str, Any]:
    """One decision as an OpenAI moderation result."""
    return {
        "flagged": decision.flagged,
        "categories": decision.categories,
        "category_scores": decision.category_scores,
        "category_applied_input_types": {c: ["text"] for c in decision.categories},
        "decision_id": decision.id,
        "action": decision.action,
    }


def model_name(guard: Guard, stage: Stage = "input") -> str:
    """What answered, as OpenAI names its moderation model: the stage's judges."""
    return "redline/" + ("+".join(guard.checkers[stage].judges) or "rules")


def texts_of(body: ModerationRequest, max_batch: int) -> list[str]:
    if isinstance(body.input, str):
        return [body.input]
    if all(isinstance(item, str) for item in body.input):
        if len(body.input) > max_batch:
            raise ApiError(400, f"input: at most {max_batch} texts per request", param="input")
        return [str(item) for item in body.input]
    if any(isinstance(item, ImagePart) for item in body.input):
        raise ApiError(400, "input: images are not supported by this guard", param="input")
    return ["\n".join(item.text for item in body.input if isinstance(item, TextPart))]


@router.post(
    "/v1/moderations",
    response_model=ModerationResponse,
    responses={400: {"description": "Malformed request"}, 401: {"description": "Bad API key"}},
)
async def moderations(body: ModerationRequest, request: Request, client: Client) -> Response:
    guard = guard_of(request)
    texts = texts_of(body, guard.policy.limits.max_batch)
    decisions = await guard.checkers["input"].check([Subject(t) for t in texts])
    request_id = f"modr-{secrets.token_hex(12)}"
    guard.observe(decisions, request_id=request_id, client=client, route="moderations")
    payload = {
        "id": request_id,
        "model": model_name(guard),
        "results": [result_of(d) for d in decisions],
    }
    return Response(orjson.dumps(payload), media_type="application/json")
