"""Prompt transformations and attacks: encodings, templates, model rewrites, adaptive attacks.

A chain such as "base64+roleplay" turns a suite's prompt into the probe actually sent;
`decode_response` turns the answer back into text a judge can read.
"""

from redline.mutators.base import Mutator, MutatorKind, Reading, Rewrite
from redline.mutators.catalog import (
    attacks,
    build_mutator,
    describe_mutators,
    is_model_step,
    mutators,
    split_spec,
)
from redline.mutators.chains import (
    NONE,
    Chain,
    MutationFailure,
    ProbePlanner,
    build_chain,
    expand_chains,
    plan_probes,
)
from redline.mutators.coverage import CoveragePlan, plan_coverage
from redline.mutators.decoding import adecode_response, decode_response
from redline.mutators.model import ModelMutator, MutationFailed, MutationPending

__all__ = [
    "NONE",
    "Chain",
    "CoveragePlan",
    "ModelMutator",
    "MutationFailed",
    "MutationFailure",
    "MutationPending",
    "Mutator",
    "MutatorKind",
    "ProbePlanner",
    "Reading",
    "Rewrite",
    "adecode_response",
    "attacks",
    "build_chain",
    "build_mutator",
    "decode_response",
    "describe_mutators",
    "expand_chains",
    "is_model_step",
    "mutators",
    "plan_coverage",
    "plan_probes",
    "split_spec",
]
