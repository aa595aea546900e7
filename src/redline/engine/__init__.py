"""Planning, async execution, retries and resume."""

from redline.engine.retry import RetryPolicy, call_target
from redline.engine.runner import Engine, EngineStats, plain_probes

__all__ = ["Engine", "EngineStats", "RetryPolicy", "call_target", "plain_probes"]
