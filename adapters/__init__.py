"""Adapters both Lambdas share: DynamoDB, Secrets Manager, Slack Web API clients."""

__all__: list[str] = []
