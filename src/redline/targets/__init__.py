"""Model providers. Built-ins load lazily so that optional backends stay optional."""

from __future__ import annotations

from redline.registry import Registry
from redline.spec import TargetSpec
from redline.targets.base import Generation, Target, TargetError

targets: Registry[Target] = Registry("targets")
targets.register("llamacpp", "redline.targets.llamacpp:LlamaCppTarget")
targets.register("openai", "redline.targets.openai:OpenAITarget")
targets.register("transformers", "redline.targets.transformers:TransformersTarget")


def build_target(spec: TargetSpec) -> Target:
    return targets.get(spec.type)(spec)


__all__ = ["Generation", "Target", "TargetError", "build_target", "targets"]
