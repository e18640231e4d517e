"""Greenlight: human approvals in Slack for AWS Lambda durable functions."""

__version__ = "0.6.0"
