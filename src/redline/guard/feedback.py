"""POST /v1/feedback: a person's label for an earlier decision re-weights the judges.

The decision's stored votes and the label make one Hedge update of that stage's weights;
label and weights are committed together, so a restart resumes from the last label.
A decision takes one label: a second would count the same evidence twice.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from redline.guard.checks import Stage
from redline.guard.errors import ApiError
from redline.guard.service import Client, Guard, guard_of

router = APIRouter(tags=["feedback"])


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_id: str = Field(min_length=1, max_length=64)
    #: The person's reading: should this text have been flagged?
    harmful: bool


class FeedbackResponse(BaseModel):
    decision_id: str
    stage: Stage
    agreed: bool = Field(description="Whether the guard's decision matched the label")
    weights: dict[str, float]


@router.post("/v1/feedback", response_model=FeedbackResponse)
async def feedback(body: FeedbackRequest, request: Request, client: Client) -> FeedbackResponse:
    guard: Guard = guard_of(request)
    stored = guard.audit.decision(body.decision_id)
    if stored is None:
        raise ApiError(404, f"no decision {body.decision_id!r}", kind="not_found_error")
    if stored.labelled:
        raise ApiError(409, f"decision {body.decision_id!r} already has a label", code="conflict")
    hedge = guard.checkers[stored.stage].weights
    if hedge is None:
        raise ApiError(409, f"the {stored.stage} stage has no judges to weigh", code="conflict")
    agreed = stored.flagged == body.harmful
    # Votes from judges no longer in the policy have no weight left to move.
    hedge.update({k: v for k, v in stored.votes.items() if k in hedge.members}, body.harmful)
    state = hedge.to_dict()
    guard.audit.label(
        body.decision_id, harmful=body.harmful, client=client, stage=stored.stage, weights=state
    )
    guard.metrics.feedback.labels(agreed=str(agreed).lower()).inc()
    guard.publish_weights()
    return FeedbackResponse(
        decision_id=body.decision_id,
        stage=stored.stage,
        agreed=agreed,
        weights=hedge.weights,
    )
