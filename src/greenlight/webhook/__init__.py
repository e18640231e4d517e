"""The Slack webhook Lambda: verified clicks in, votes counted, workflows resumed."""

__all__: list[str] = []
