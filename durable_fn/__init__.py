"""The durable order workflow and its reusable approval gate (entry: `durable_fn.handler`)."""

__all__: list[str] = []
