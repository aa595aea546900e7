"""Tools for testing pipelines built on redline without a real model."""
