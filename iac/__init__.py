"""The CDK app (Python): one stack, one construct per function, least-privilege policies."""

__all__: list[str] = []
