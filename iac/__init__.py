"""The order example's CDK app: its own stack, with one Greenlight construct inside."""

__all__: list[str] = []
