"""Benchmarks and the tools they need; each prints JSON (docs/performance.md)."""
