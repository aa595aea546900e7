"""The guard: redline's judges as a moderation service and a guarded chat proxy."""

from redline.guard.app import create_app
from redline.guard.policy import Policy, build_policy, load_policy
from redline.guard.server import serve

__all__ = ["Policy", "build_policy", "create_app", "load_policy", "serve"]
