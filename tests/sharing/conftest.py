"""Fixtures of the sharing tests."""

from tests.sharing.network import cli

__all__ = ["cli"]
