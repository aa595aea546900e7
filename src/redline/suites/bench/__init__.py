"""Loaders for public safety benchmarks, one module per benchmark family."""
