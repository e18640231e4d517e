"""The webhook's own CPU per click, without the network: `python -m bench.click_overhead`.

`bench.profile_click` reads each process's CPU over real loopback calls; on a shared machine its
medians move by a few tenths of a millisecond from run to run, more than a change to our own code
saves. This runs the same signed Approve clicks through the same ASGI apps with every outside
call answered at once, in this process: DynamoDB's `UpdateItem` answers the record after the vote
(`AnsweringDynamoDB`), Lambda's callback and Slack's `chat.update` answer ok. What remains is the
CPU that is ours (ASGI front, Bolt, decision service, the record's rebuild, metrics, callback
payload, Block Kit) and, for the floor, its HMAC, parse and calls' arguments. botocore's and
slack_sdk's own work per call (validation, signing, HTTP) is left out of both. Never in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from unittest import mock

from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bench.common import asgi_post, signed_approve
from bench.servers import SIGNING_SECRET, TOKEN
from greenlight.aws.approval_store import DynamoApprovalStore, typed
from greenlight.aws.secrets import SlackCredentials
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.secret import Secret
from greenlight.core.votes import Verdict, Vote
from greenlight.webhook.app import build_app
from greenlight.webhook.asgi import SlackWebhook, Wiring
from greenlight.webhook.decisions import DecisionService
from greenlight.webhook.home import Inbox
from greenlight.webhook.lambda_callbacks import LambdaCallbackSender
from greenlight.webhook.rotation import RotatingCredentials
from greenlight.webhook.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from greenlight.webhook.ports import MessageBoard

App = Any  # an ASGI callable
SETTINGS = Settings(
    approvals_table="approvals",
    audit_table="audit",
    slack_secret_name="bench/slack",  # noqa: S106  # a name, never read here
    slack_api_url="http://127.0.0.1:9/api/",  # never called: `chat.update` is answered in process
    slack_app_id="A0GREENLT",
    slack_team_id="T0GREENLT",
    base_path="",
)


def pending(index: int, now: datetime) -> ApprovalRecord:
    """A 1-of-2 request as `bench.run.seed` writes them."""
    return ApprovalRecord(
        approval_id=f"ov{index:020d}",
        callback_id=f"cb-ov-{index}",
        execution_arn="arn:bench",
        request=ApprovalRequest(
            "Bench order", "U0ALICE", amount=Amount(125_000, "EUR"), reference=f"o-ov-{index}"
        ),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"})),
        created_at=now.isoformat(),
        expires_at=(now + timedelta(days=1)).isoformat(),
        ttl=int(now.timestamp()) + 3600,
        slack=SlackMessage("C0APPROVALS", f"1700000000.{index:06d}"),
    )


class AnsweringDynamoDB:
    """The low-level client's `update_item`, answering the record after Bob's approve (the
    answer's item is built before the clicks: its cost is not counted)."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}

    def add(self, record: ApprovalRecord, at: str) -> None:
        after = record.with_vote(Vote("U0BOB", Verdict.APPROVE, at))
        self.answers[record.approval_id] = {"Attributes": typed(after.to_item())}

    def update_item(self, **call: Any) -> dict[str, Any]:
        return self.answers[call["Key"]["approval_id"]["S"]]


class AnsweringLambda:
    """Lambda's callback API, accepting every callback (and counting them: a click that did
    not get as far as resuming its workflow is not a click measured)."""

    def __init__(self) -> None:
        self.callbacks = 0

    def send_durable_execution_callback_success(self, **_: Any) -> dict[str, Any]:
        self.callbacks += 1
        return {}


@dataclass
class Answering:
    """The outside world of one variant, answering in process."""

    dynamodb: AnsweringDynamoDB = field(default_factory=AnsweringDynamoDB)
    lambda_api: AnsweringLambda = field(default_factory=AnsweringLambda)


def answered(*_: Any, **__: Any) -> dict[str, Any]:
    """Slack's answer to any Web API call (replaces `WebClient.api_call`)."""
    return {"ok": True}


def ours(world: Answering) -> App:
    """The product's webhook as `build_webhook` wires it, over the answering clients."""
    store = DynamoApprovalStore(world.dynamodb, SETTINGS.approvals_table, SETTINGS.audit_table)  # type: ignore[arg-type]  # answers update_item only
    callbacks = LambdaCallbackSender(world.lambda_api)  # type: ignore[arg-type]  # one method

    def decisions(board: MessageBoard) -> DecisionService:
        return DecisionService(store, callbacks, board, lambda: datetime.now(UTC))

    app = build_app(SETTINGS, lambda: Secret(TOKEN), decisions, Inbox(store))
    credentials = SlackCredentials(Secret(TOKEN), Secret(SIGNING_SECRET))
    return SlackWebhook(
        RotatingCredentials(
            lambda: credentials,
            lambda c: Wiring(app, SignatureVerifier(c.signing_secret.reveal())),
            first=credentials,
        )
    )


def floor(world: Answering) -> App:
    """`bench.servers.floor_app` over the answering clients."""
    from bench import servers  # noqa: PLC0415

    def client(name: str, **_: Any) -> Any:
        return world.dynamodb if name == "dynamodb" else world.lambda_api

    env = {"APPROVALS_TABLE": SETTINGS.approvals_table, "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    with mock.patch("boto3.client", client), mock.patch.dict("os.environ", env):
        return servers.floor_app()


def requests(records: list[ApprovalRecord]) -> list[tuple[dict[str, Any], bytes]]:
    """Bob's signed Approve click on each record: ASGI scope and body."""
    return [signed_approve(record) for record in records]


async def _inline(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


@contextlib.contextmanager
def answering() -> Iterator[None]:
    """Slack answered in process; Bolt's worker thread run inline (one thread's CPU); the EMF
    lines kept off the terminal."""
    with (
        mock.patch.object(WebClient, "api_call", answered),
        mock.patch("asyncio.to_thread", _inline),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        yield


class Session:
    """One variant's app over its own in-process answers, clicked round after round."""

    def __init__(self, build: Callable[[Answering], App], clicks: int) -> None:
        self.world = Answering()
        self.app = build(self.world)
        self.clicks = clicks
        self.rounds = 0
        self.loop = asyncio.new_event_loop()
        self.now = datetime.now(UTC)

    def round(self) -> float:
        """CPU microseconds per click of one round, on fresh records.

        Raises:
            RuntimeError: a click was not answered 200, or did not resume its workflow.
        """
        first = self.rounds * self.clicks
        self.rounds += 1
        records = [pending(first + i, self.now) for i in range(self.clicks)]
        for record in records:
            self.world.dynamodb.add(record, self.now.isoformat())
        resumed = self.world.lambda_api.callbacks
        batch = requests(records)
        with answering():
            started = time.process_time()
            statuses = [self.loop.run_until_complete(asgi_post(self.app, *r)) for r in batch]
            spent = time.process_time() - started
        if statuses != [200] * self.clicks:
            raise RuntimeError(f"a click was not answered 200: {sorted(set(statuses))}")
        if self.world.lambda_api.callbacks - resumed != self.clicks:
            raise RuntimeError("a click did not resume its workflow")
        return 1e6 * spent / self.clicks

    def close(self) -> None:
        self.loop.close()


def run(build: Callable[[Answering], App], clicks: int, rounds: int) -> list[float]:
    """CPU microseconds per click of each round of one variant, after a warm-up round.

    Raises:
        RuntimeError: a click was not answered 200, or did not resume its workflow.
    """
    return interleaved({"only": build}, clicks, rounds)["only"]


def interleaved(
    builds: dict[str, Callable[[Answering], App]], clicks: int, rounds: int
) -> dict[str, list[float]]:
    """Each variant's CPU microseconds per click, round by round, the variants taking turns
    (who goes first rotates), so drift on a shared machine lands on all alike; each warms up
    with one uncounted round first.

    Raises:
        RuntimeError: a click was not answered 200, or did not resume its workflow.
    """
    sessions = {name: Session(build, clicks) for name, build in builds.items()}
    measured: dict[str, list[float]] = {name: [] for name in builds}
    names = list(builds)
    try:
        for session in sessions.values():
            session.round()  # warm-up, not counted
        for round_ in range(rounds):
            turn = round_ % len(names)
            for name in names[turn:] + names[:turn]:
                measured[name].append(sessions[name].round())
    finally:
        for session in sessions.values():
            session.close()
    return measured


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    medians = {}
    measured = interleaved({"ours": ours, "floor": floor}, args.clicks, args.rounds)
    for name, rounds in measured.items():
        medians[name] = statistics.median(rounds)
        print(
            f"{name}: {medians[name]:.0f} us of CPU per click, outside calls answered in process"
            f" (median of {args.rounds} rounds of {args.clicks}: {[round(r) for r in rounds]})"
        )
    return medians


if __name__ == "__main__":
    main()
