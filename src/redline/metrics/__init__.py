"""Rates, intervals and the results schema."""

from redline.metrics.intervals import wilson_interval
from redline.metrics.results import SCHEMA_VERSION, Cell, Rate, Results, Tables, tabulate

__all__ = ["SCHEMA_VERSION", "Cell", "Rate", "Results", "Tables", "tabulate", "wilson_interval"]
