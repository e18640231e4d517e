"""The approval gate: a durable primitive that asks people in Slack and waits."""
