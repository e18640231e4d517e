"""The local stack: no Slack, no AWS. Runner, Lambda host, webhook, fake Slack, DynamoDB."""

__all__: list[str] = []
