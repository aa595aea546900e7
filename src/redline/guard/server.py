"""Run the guard with uvicorn: the app is built (and the policy checked) before binding."""

from __future__ import annotations

import logging

import uvicorn

from redline.guard.app import create_app
from redline.guard.policy import Policy

log = logging.getLogger("redline.guard")


def serve(
    policy: Policy, *, host: str = "127.0.0.1", port: int = 8080, access_log: bool = False
) -> None:
    """Serve until interrupted. Access logs are off by default: they cost throughput, and
    what matters (decisions) is in the audit log."""
    app = create_app(policy)
    judges = {stage: list(c.judges) for stage, c in app.state.guard.checkers.items()}
    log.info("guard on http://%s:%d judges=%s audit=%s", host, port, judges, policy.audit.path)
    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info")
