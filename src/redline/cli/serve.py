"""`redline serve`: the guard service; `redline serve-key`: a new API key for its policy.

The guard (FastAPI, uvicorn) is imported only when these run, so other commands start fast.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from redline.errors import UserError


def serve(
    policy: Annotated[
        Path, typer.Option("--policy", help="Guard policy (YAML): judges, categories, limits.")
    ],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="Log every request line (off: faster).")
    ] = False,
) -> None:
    """Serve the judges as an OpenAI-compatible moderation API and guarded chat proxy."""
    try:
        from redline.guard import load_policy
        from redline.guard import serve as run_guard
    except ImportError as exc:
        raise UserError(
            f"redline serve needs the guard extra ({exc.name} is missing): "
            "pip install 'redline[guard]'"
        ) from None

    loaded = load_policy(policy)  # a bad policy fails here, before the port opens
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    run_guard(loaded, host=host, port=port, access_log=access_log)


def serve_key(
    name: Annotated[str, typer.Option(help="Name the key goes by in the audit log.")] = "default",
) -> None:
    """Make an API key: prints the key (give it to the client; it is not stored) and the
    entry to add under `auth.keys` in the policy."""
    from redline.guard.auth import new_key

    key, hashed = new_key()
    typer.echo(f"key: {key}")
    typer.echo(f'policy entry: {{name: {name}, hash: "{hashed}"}}')


def register_serve_command(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("serve-key")(serve_key)
