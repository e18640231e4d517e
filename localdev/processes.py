"""Entry points for the local stack's own servers: `python -m localdev.processes <part>`.

Each reads its ports from the stack folder and its settings from the environment the
supervisor gives it, serves on 127.0.0.1, and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localdev.config import HOST, StackConfig

if TYPE_CHECKING:
    from http.server import HTTPServer

    from greenlight.webhook.settings import Settings


def _run_until_terminated(server: HTTPServer) -> None:
    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()


def run_slack(config: StackConfig) -> None:
    """The fake Slack Web API and the clickable page."""
    from localdev import fake_slack  # noqa: PLC0415  # each part imports only what it runs
    from localdev.execution_view import execution_view  # noqa: PLC0415
    from localdev.slack_page import SlackPage  # noqa: PLC0415

    credentials = config.credentials()

    def page(state: fake_slack.SlackState) -> SlackPage:
        return SlackPage(
            state, config.webhook_url, credentials["signing_secret"], execution_view(config)
        )

    server = fake_slack.serve(HOST, config.ports["slack"], credentials["bot_token"], page)
    _run_until_terminated(server)


def run_payments(config: StackConfig) -> None:
    """The local payment provider."""
    from localdev import payments  # noqa: PLC0415

    _run_until_terminated(payments.serve(HOST, config.ports["payments"]))


def run_host(config: StackConfig) -> None:
    """The Lambda host running every function of `localdev.functions`, each by its name."""
    from localdev import function_names, functions, lambda_host  # noqa: PLC0415

    hosted = functions.load()  # imports each handler: it builds from this process's env
    names = function_names.ExecutionNames(config.root / "state" / "execution-names.json")
    host = lambda_host.LambdaHost(hosted, config.url("runner"), names)
    _run_until_terminated(lambda_host.serve(host, HOST, config.ports["host"]))


def run_webhook(config: StackConfig) -> None:
    """The webhook's ASGI app (the one Mangum wraps on Lambda) under uvicorn, and beside it the
    decision relay fed by the approvals table's stream (two functions on AWS)."""
    import uvicorn  # noqa: PLC0415

    from greenlight.webhook.handler import asgi  # noqa: PLC0415
    from greenlight.webhook.settings import Settings  # noqa: PLC0415

    stop = threading.Event()
    relay = threading.Thread(target=_relay, args=(config, Settings.from_env(), stop), daemon=True)
    relay.start()
    uvicorn.run(asgi, host=HOST, port=config.ports["webhook"], log_level="warning", lifespan="off")
    stop.set()
    relay.join(timeout=5)


def _relay(config: StackConfig, settings: Settings, stop: threading.Event) -> None:
    """Lambda's stream event source mapping, as `localdev.stream_relay` plays it."""
    import boto3  # noqa: PLC0415

    from greenlight.webhook.build import build_relay  # noqa: PLC0415
    from greenlight.webhook.relay import make_stream_handler  # noqa: PLC0415
    from localdev.stream_relay import StreamPoller  # noqa: PLC0415

    endpoint = config.url("dynamodb")
    table = boto3.client("dynamodb", endpoint_url=endpoint).describe_table(
        TableName=settings.approvals_table
    )
    poller = StreamPoller(
        boto3.client("dynamodbstreams", endpoint_url=endpoint),
        table["Table"]["LatestStreamArn"],
        make_stream_handler(build_relay(settings)),
        checkpoint=config.root / "state" / "relay-checkpoint.json",
    )
    poller.run(stop)


PARTS = {"slack": run_slack, "payments": run_payments, "host": run_host, "webhook": run_webhook}


def main(argv: list[str] | None = None) -> int:
    """Run one part in the foreground."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", choices=sorted(PARTS))
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    PARTS[args.part](StackConfig.load(args.root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
