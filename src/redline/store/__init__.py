"""The run store."""

from redline.store.sqlite import STORE_FILE, RunStore, Transcript, open_store

__all__ = ["STORE_FILE", "RunStore", "Transcript", "open_store"]
