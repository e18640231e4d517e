"""A production deploy gate on Greenlight: checks, the on-call's and the release manager's
approval in Slack, then the deploy; nothing here is about money."""
