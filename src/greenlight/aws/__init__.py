"""Adapters over AWS: DynamoDB (approvals, audit), Secrets Manager, client settings."""
