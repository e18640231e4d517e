"""The Bolt app: routes clicks, modal submissions and commands of signed requests.

Configured for FaaS (DESIGN §5): named (no stack walk), every listener done before the response
(Lambda freezes threads afterwards). The signature is checked once, before Bolt (asgi.py), so
Bolt's own check is switched off. The app is built once per container: Bolt asks `authorize` for
each request's bot token (the one read last from the Slack secret, so a rotated token is used
from the request that picked it up, without an `auth.test`) and hands each listener a `client`
carrying it; the listeners talk to Slack only through that client.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from greenlight.core import messages
from greenlight.core.buttons import REASON_BLOCK_ID, REJECT_MODAL_CALLBACK_ID
from greenlight.core.delegation import is_delegation_command
from greenlight.core.errors import (
    AlreadyVotedError,
    ApprovalError,
    ConflictError,
    InvalidRequestError,
    NotAuthorizedError,
    NotFoundError,
)
from greenlight.core.votes import Status, Verdict
from greenlight.slack.client import TIMEOUT_SECONDS
from greenlight.webhook import comments, home
from greenlight.webhook.decisions import Click
from greenlight.webhook.payloads import (
    BUTTONS,
    read_button_click,
    to_reason_submission,
    user_of,
)
from greenlight.webhook.slack_board import SlackMessageBoard

if TYPE_CHECKING:
    from collections.abc import Callable

    from slack_bolt import BoltRequest

    from greenlight.core.secret import Secret
    from greenlight.webhook.decisions import DecisionService
    from greenlight.webhook.delegation import Delegations
    from greenlight.webhook.home import Inbox
    from greenlight.webhook.ports import MessageBoard
    from greenlight.webhook.settings import Settings

    Decisions = Callable[[MessageBoard], DecisionService]

logger = logging.getLogger(__name__)
APPROVALS_COMMAND = "/approvals"
HTTP_FORBIDDEN = 403
ANY_EVENT = re.compile(".*")
FINAL = {s.value for s in Status if s.is_final}


def sent_at(request: BoltRequest) -> int | None:
    """When Slack sent `request`: its `X-Slack-Request-Timestamp`, signed and checked fresh
    before Bolt saw it (asgi.py), so a digit string."""
    found = request.headers.get("x-slack-request-timestamp") or []
    return int(found[0]) if found and found[0].isdigit() else None


def reply_for(error: ApprovalError, service: DecisionService) -> str:
    """The one table from domain errors to what the clicker is told."""
    if isinstance(error, ConflictError):
        if error.status in FINAL:  # the refusal said who and when: no read
            return messages.already_decided_as(
                Status(error.status), error.decided_by, error.decided_at
            )
        return messages.already_decided(service.current(error.approval_id))
    if isinstance(error, NotAuthorizedError):  # a second vote names whom for, as a mention
        return (
            messages.already_voted(error.voted_for, error.counted_for, error.counted_by)
            if isinstance(error, AlreadyVotedError)
            else messages.not_authorized(error.why)
        )
    if isinstance(error, NotFoundError):
        return messages.not_found()
    if isinstance(error, InvalidRequestError):
        return messages.invalid(error.problem)
    return messages.invalid("unexpected request")


def form_error_for(error: ApprovalError, service: DecisionService) -> str:
    """What a refused form submission shows, in plain text (Slack renders a modal's errors as
    plain text: `greenlight.core.messages`, `form_*`); the same cases as `reply_for`."""
    if isinstance(error, ConflictError):
        return _form_conflict(error, service)
    if isinstance(error, AlreadyVotedError):
        return messages.form_already_voted(
            as_delegate=error.voted_for is not None,
            counted_for_them=error.counted_for is not None,
            counted_by_delegate=error.counted_by is not None,
        )
    if isinstance(error, NotAuthorizedError):
        return messages.form_refused(error.why)
    if isinstance(error, NotFoundError):
        return messages.not_found()
    if isinstance(error, InvalidRequestError):
        return messages.form_invalid(error.problem)
    return messages.form_invalid("unexpected request")


def _form_conflict(error: ConflictError, service: DecisionService) -> str:
    if error.status in FINAL:  # the refusal said what and when: no read
        return messages.form_already_decided(Status(error.status), error.decided_at)
    current = service.current(error.approval_id)
    return messages.form_already_decided(current.status, current.decided_at)


def build_app(
    settings: Settings,
    bot_token: Callable[[], Secret],
    decisions: Decisions,
    inbox: Inbox | None = None,
    delegations: Delegations | None = None,
) -> App:
    """Wire the listeners to the decision service.

    Args:
        settings: our app, workspace and (for a local fake Slack) the Web API's URL.
        bot_token: the bot token read last from the Slack secret; asked once per request.
        decisions: the decision service redrawing on a given board (each request's client).
        inbox: the App Home's inbox; without it the Home tab is not served.
        delegations: `/approvals delegate|undelegate`; without it delegation is off.
    """
    bolt_logger = logging.getLogger("greenlight.bolt")
    bolt_logger.setLevel(logging.WARNING)  # Bolt logs bodies and signatures of bad requests at INFO

    def authorize() -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=None, team_id=settings.slack_team_id, bot_token=bot_token().reveal()
        )

    app = App(
        name="greenlight",
        logger=bolt_logger,
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=False,  # verified once, before Bolt parses anything
        # Bolt copies this client's URL and timeout into each request's client, whose token
        # comes from `authorize`; a token here would be logged as "ignored" every cold start.
        client=WebClient(
            base_url=settings.slack_api_url or WebClient.BASE_URL, timeout=TIMEOUT_SECONDS
        ),
        authorize=authorize,
    )

    app.use(OnlyOurApp(settings))

    # Every button of the message first: the commonest request is matched by the first
    # listener. A Home tab click (the same action ids) is passed on to the Home tab's
    # listeners, registered next, before every listener below that would match Home tab
    # requests too.
    @app.action(
        {"type": "block_actions", "action_id": BUTTONS},
        middleware=[MessageClicksOnly()] if inbox is not None else None,
    )
    def on_button(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        board = board_over(client)
        _on_click(body, decisions(board), board)

    if inbox is not None:
        home.register(app, inbox=inbox, decisions=decisions, board_over=board_over, reply=reply_for)

    @app.view(REJECT_MODAL_CALLBACK_ID)
    def on_reject_reason(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        service = decisions(board_over(client))
        try:
            submission = to_reason_submission(body)
            if not submission.reason:
                ack(response_action="errors", errors={REASON_BLOCK_ID: "Please say why."})
                return
            click = Click(
                submission.approval_id, submission.user_id, Verdict.REJECT, submission.reason
            )
            service.decide(click)
        except ApprovalError as err:
            ack(response_action="errors", errors={REASON_BLOCK_ID: form_error_for(err, service)})
            return
        ack()

    @app.view_closed(REJECT_MODAL_CALLBACK_ID)
    def on_reject_dismissed(ack: Callable[..., None]) -> None:
        ack()  # the approver changed their mind: nothing was decided, nothing to do

    @app.event(ANY_EVENT)
    def on_event(ack: Callable[..., None]) -> None:
        # We subscribe to no event yet; an unanswered one would be redelivered (and, failing
        # often, get the app's event subscription disabled), so every event is acknowledged.
        ack()

    comments.register(app, decisions, board_over, form_error_for)  # approve w/ comment, sensitive

    @app.command(APPROVALS_COMMAND)
    def on_approvals(
        ack: Callable[..., None], body: dict[str, Any], client: WebClient, request: BoltRequest
    ) -> None:
        service = decisions(board_over(client))
        try:
            user_id = user_of({"user": {"id": body.get("user_id")}})
        except InvalidRequestError as err:
            ack(text=reply_for(err, service), response_type="ephemeral")
            return
        if is_delegation_command(str(body.get("text") or "")):
            text = (
                delegations.answer(user_id, str(body["text"]), sent_at(request))
                if delegations
                else messages.delegation_refused("delegation is not set up for this workspace")
            )
            ack(text=text, response_type="ephemeral")
            return
        text = messages.pending_list(service.waiting_on(user_id), user_id)
        if inbox is not None:
            text += "\n" + messages.home_pointer(settings.slack_team_id, settings.slack_app_id)
        ack(text=text, response_type="ephemeral")

    return app


class OnlyOurApp(Middleware):
    """Bolt's first middleware of ours: a request from another app or workspace is refused (403)
    before any listener runs.

    A `Middleware` subclass rather than a function: Bolt calls a function middleware with
    keyword arguments it builds for every request (`build_required_kwargs`: the body, context,
    client, ack, say, respond, every payload view), and this check needs only the request.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:  # Bolt's names
        """Refuse what is not ours; otherwise let Bolt go on to the listeners."""
        context = req.context
        if not is_ours(
            self._settings, req.body.get("api_app_id"), context.team_id, context.enterprise_id
        ):
            logger.warning("request from another app or workspace refused")
            return BoltResponse(status=HTTP_FORBIDDEN, body=json.dumps({"error": "unknown app"}))
        return next()


class MessageClicksOnly(Middleware):
    """The message buttons' listener middleware: a click in the App Home tab is not theirs.

    Bolt goes on to the next listener when a listener middleware does not call `next` (and
    returns no response): the Home tab's, registered after it. A `Middleware` class rather than
    a `matchers=` function, for the same reason as `OnlyOurApp`: no arguments built per click.
    """

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:  # Bolt's names
        """Let Bolt run the message listener, or (a Home tab click) try the next listener."""
        if home.is_home_click(req.body):
            return None
        return next()


def board_over(client: WebClient) -> SlackMessageBoard:
    """The message board over Bolt's per-request client (its token from `authorize`).

    Bolt gives that client the request's workspace as a default `team_id` on every call (for
    org-wide tokens; slack_sdk PR #882). Slack documents no `team_id` for the methods the board
    calls (chat.update, chat.postEphemeral, views.open: tests/contract/slack_api), so it is
    dropped and the board sends what it always sent.
    """
    client.default_params.pop("team_id", None)
    return SlackMessageBoard(client)


def is_ours(
    settings: Settings, app_id: object, team_id: str | None, enterprise_id: str | None
) -> bool:
    """Whether a request comes from our app in our workspace (or our Grid org, if configured).

    The workspace is Bolt's reading of the request (`team.id`, or for org-wide installs
    `user.team_id` / `view.app_installed_team_id`), not one field of our choosing.
    """
    if app_id != settings.slack_app_id:
        return False
    if team_id == settings.slack_team_id:
        return True
    return (
        settings.slack_enterprise_id is not None and enterprise_id == settings.slack_enterprise_id
    )


def _on_click(body: dict[str, Any], service: DecisionService, board: SlackMessageBoard) -> None:
    """A button on the message: decide, or open its form (`comments.act_on_click`); anything to
    say is said in the channel, to the clicker alone."""
    click = read_button_click(body)
    if click is None:
        return
    line = comments.act_on_click(click, service, board, reply_for, home_tab=False)
    if line is not None:
        board.tell(click.channel_id, click.user_id, line)
