"""A rotated Slack secret is picked up on the first request it fails, and no more often."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from greenlight.aws.secrets import SlackCredentials
from greenlight.core.secret import Secret
from greenlight.webhook.rotation import RotatingCredentials

if TYPE_CHECKING:
    import pytest


def credentials(signing: str) -> SlackCredentials:
    return SlackCredentials(Secret("xoxb-test-not-real"), Secret(signing))


class Source:
    """The secret as Secrets Manager holds it, counting reads."""

    def __init__(self, signing: str) -> None:
        self.value: SlackCredentials | Exception = credentials(signing)
        self.reads = 0

    def load(self) -> SlackCredentials:
        self.reads += 1
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def rotating(source: Source, clock: Clock) -> tuple[RotatingCredentials[str], list[str]]:
    built: list[str] = []

    def wire(c: SlackCredentials) -> str:
        built.append(c.signing_secret.reveal())
        return c.signing_secret.reveal()

    return RotatingCredentials(source.load, wire, 30.0, clock), built


def test_credentials_read_by_the_caller_are_wired_without_another_read() -> None:
    # build_webhook reads the secret on a worker thread while it builds the rest
    source = Source("old")
    wiring = RotatingCredentials(
        source.load, lambda c: c.signing_secret.reveal(), first=source.load()
    )
    assert (wiring.current, wiring.credentials, source.reads) == ("old", credentials("old"), 1)


def test_an_unchanged_secret_is_not_rewired() -> None:
    source, clock = Source("old"), Clock()
    wiring, built = rotating(source, clock)
    assert not wiring.refresh()
    assert wiring.current == "old"
    assert built == ["old"]
    assert source.reads == 2


def test_a_rotated_secret_is_rewired_on_the_first_refresh() -> None:
    source, clock = Source("old"), Clock()
    wiring, built = rotating(source, clock)
    source.value = credentials("new")
    assert wiring.refresh()
    assert wiring.current == "new"
    assert built == ["old", "new"]


def test_the_credentials_read_last_are_handed_out_whole() -> None:
    # Bolt's `authorize` asks for the bot token on every request: after a rotation it gets the
    # new token, and never one credential of each secret
    source, clock = Source("old"), Clock()
    wiring, _ = rotating(source, clock)
    assert wiring.credentials == credentials("old")
    rotated = SlackCredentials(Secret("xoxb-rotated-not-real"), Secret("new"))
    source.value = rotated
    assert wiring.refresh()
    assert wiring.credentials == rotated
    assert wiring.current == "new"


def test_a_bot_token_rotated_alone_is_handed_out_after_the_next_refresh() -> None:
    # The bot token's secret and the signing secret rotate apart: a new token with the same
    # signing secret is still a change (the verifier is rebuilt for nothing, harmlessly)
    source, clock = Source("same"), Clock()
    wiring, built = rotating(source, clock)
    rotated = SlackCredentials(Secret("xoxb-rotated-not-real"), Secret("same"))
    source.value = rotated

    assert wiring.refresh()
    assert wiring.credentials.bot_token == Secret("xoxb-rotated-not-real")
    assert built == ["same", "same"]


def test_reads_are_rate_limited() -> None:
    source, clock = Source("old"), Clock()
    wiring, _ = rotating(source, clock)
    assert not wiring.refresh()  # read 2
    source.value = credentials("new")
    clock.now += 29
    for _ in range(100):  # a stream of badly signed requests
        assert not wiring.refresh()
    assert source.reads == 2
    assert wiring.current == "old"
    clock.now += 1
    assert wiring.refresh()
    assert source.reads == 3
    assert wiring.current == "new"


def test_a_failed_read_keeps_the_current_wiring_and_never_logs_the_error_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, clock = Source("old"), Clock()
    wiring, _ = rotating(source, clock)
    source.value = RuntimeError("xoxb-looks-like-a-token")
    with caplog.at_level(logging.WARNING):
        assert not wiring.refresh()
    assert wiring.current == "old"
    assert "re-reading the Slack secret failed" in caplog.text
    assert "xoxb-looks-like-a-token" not in caplog.text
