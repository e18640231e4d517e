"""Which requests count as our app's, in our workspace or our Enterprise Grid org."""

from __future__ import annotations

from dataclasses import replace

import pytest

from greenlight.webhook.app import is_ours
from greenlight.webhook.settings import Settings

WORKSPACE = Settings(
    approvals_table="a",
    audit_table="b",
    slack_secret_name="s",
    slack_api_url=None,
    slack_app_id="A0GREENLT",
    slack_team_id="T0GREENLT",
    base_path="",
)
ORG = replace(WORKSPACE, slack_enterprise_id="E0GRIDORG")


@pytest.mark.parametrize(
    ("settings", "app_id", "team_id", "enterprise_id", "ours"),
    [
        (WORKSPACE, "A0GREENLT", "T0GREENLT", None, True),  # ordinary workspace
        (WORKSPACE, "A0GREENLT", "T0GREENLT", "E0GRIDORG", True),  # a workspace inside an org
        (WORKSPACE, "A0OTHER", "T0GREENLT", None, False),  # another app
        (WORKSPACE, None, "T0GREENLT", None, False),
        (WORKSPACE, "A0GREENLT", "T0OTHER", "E0GRIDORG", False),  # org not configured
        (WORKSPACE, "A0GREENLT", None, None, False),
        (ORG, "A0GREENLT", "T0OTHER", "E0GRIDORG", True),  # org-wide install
        (ORG, "A0GREENLT", "T0OTHER", "E0ELSEWHERE", False),
    ],
)
def test_origin(
    settings: Settings,
    app_id: str | None,
    team_id: str | None,
    enterprise_id: str | None,
    ours: bool,
) -> None:
    assert is_ours(settings, app_id, team_id, enterprise_id) is ours
