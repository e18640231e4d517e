"""Slack Web API adapters: post, redraw and thread approval requests; read usergroups."""
