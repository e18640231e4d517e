"""Operator tooling behind scripts/*.sh: shapes AWS CLI JSON in and out; no AWS calls."""

__all__: list[str] = []
