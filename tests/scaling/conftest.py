"""The end-to-end harness (emulator over HTTP, the real bot) for the scaling tests too."""

from tests.e2e.conftest import harness

__all__ = ["harness"]
