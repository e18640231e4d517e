"""Reading a developer's .env for the real-Slack path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localdev.dotenv import REQUIRED, missing, read_env

if TYPE_CHECKING:
    from pathlib import Path


def test_the_example_file_reads_as_all_missing(tmp_path: Path) -> None:
    from pathlib import Path as RealPath  # noqa: PLC0415

    example = RealPath(__file__).resolve().parents[3] / ".env.example"

    assert missing(read_env(example)) == list(REQUIRED)


def test_values_comments_quotes_and_exports(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# a comment\n"
        "export SLACK_APP_ID=A0APP   # trailing\n"
        "SLACK_TEAM_ID='T0TEAM'\n"
        'SLACK_CHANNEL="C0 CHAN # kept"\n'
        "APPROVER_IDS=\n"
        "noise line\n"
    )

    values = read_env(env)

    assert values["SLACK_APP_ID"] == "A0APP"
    assert values["SLACK_TEAM_ID"] == "T0TEAM"
    assert values["SLACK_CHANNEL"] == "C0 CHAN # kept"
    assert missing(values) == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "APPROVER_IDS"]


def test_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_env(tmp_path / "nope") == {}
