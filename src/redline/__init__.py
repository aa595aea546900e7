"""redline: measure how safely a language model behaves, and guard it in production."""

__version__ = "0.1.0"
