"""Benchmarks and load checks, run by scripts/bench.sh; never part of CI."""

__all__: list[str] = []
