"""Fixtures of the forum tests."""

from tests.sharing.network import cli

__all__ = ["cli"]
