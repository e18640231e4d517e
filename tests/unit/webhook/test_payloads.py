"""Pure converters from Slack payloads, and the envelope checks in front of Bolt."""

from __future__ import annotations

from typing import Any

import pytest

from greenlight.core.errors import InvalidRequestError
from greenlight.core.record import SlackMessage
from greenlight.webhook.asgi import content_type, is_fresh
from greenlight.webhook.payloads import (
    BUTTONS,
    is_ssl_check,
    parse,
    shape_problem,
    to_button_click,
    to_home_click,
    to_reason_submission,
)
from localdev import slack_corpus
from localdev.slack_requests import block_actions, home_click, view_submission

APPROVAL_ID = "A" * 22


def click(**overrides: Any) -> dict[str, Any]:
    body = block_actions(
        action_id="approve",
        approval_id=APPROVAL_ID,
        user_id="U0BOB",
        channel_id="C0APPROVALS",
        message_ts="1.2",
    )
    return body | overrides


def test_a_click_is_read_into_what_the_service_needs() -> None:
    parsed = to_button_click(click())

    assert (parsed.action_id, parsed.approval_id, parsed.user_id, parsed.channel_id) == (
        "approve",
        APPROVAL_ID,
        "U0BOB",
        "C0APPROVALS",
    )


def test_a_click_names_the_message_clicked_the_copy_to_redraw_at_once() -> None:
    assert to_button_click(click()).seen_in == SlackMessage("C0APPROVALS", "1.2")
    body = click()
    body["container"].pop("message_ts")
    assert to_button_click(body).seen_in == SlackMessage("C0APPROVALS", "1.2")  # message.ts
    body.pop("message")
    assert to_button_click(body).seen_in is None  # not refused: the clicker's copy is redrawn


@pytest.mark.parametrize(
    "overrides",
    [
        {"actions": []},
        {"actions": [{"action_id": "delete", "value": APPROVAL_ID}]},
        {"actions": [{"action_id": "approve", "value": "not-an-id"}]},
        {  # a button click carries exactly one action: two are no click of ours
            "actions": [
                {"action_id": "approve", "value": APPROVAL_ID},
                {"action_id": "reject", "value": APPROVAL_ID},
            ]
        },
        {"user": {"id": "bob"}},
        {"user": None},
        {"trigger_id": None},
    ],
)
def test_malformed_clicks_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError):
        to_button_click(click(**overrides))


def home(**overrides: Any) -> dict[str, Any]:
    view = {"id": "V0HOME", "type": "home", "blocks": []}
    body = home_click(
        action_id="approve_comment", approval_id=APPROVAL_ID, user_id="U0BOB", view=view
    )
    return body | overrides


def test_a_home_tab_click_is_read_without_a_channel() -> None:
    # Given the corpus' Home tab click (a view's block_actions: no channel to answer in)
    body = home()
    assert "channel" not in body

    # Then it reads as what the service needs, and as a message click it is unreadable
    parsed = to_home_click(body)
    assert (parsed.action_id, parsed.approval_id, parsed.user_id, parsed.trigger_id) == (
        "approve_comment",
        APPROVAL_ID,
        "U0BOB",
        body["trigger_id"],
    )
    with pytest.raises(InvalidRequestError):
        to_button_click(body)


@pytest.mark.parametrize(
    "overrides",
    [
        {"actions": []},
        {"actions": [{"action_id": "delete", "value": APPROVAL_ID}]},
        {"actions": [{"action_id": "approve", "value": "not-an-id"}]},
        {"user": {"id": "bob"}},
        {"trigger_id": ""},
    ],
)
def test_malformed_home_tab_clicks_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError):
        to_home_click(home(**overrides))


@pytest.mark.parametrize(
    ("action_id", "matches"),
    [
        ("approve", True),
        ("reject", True),
        ("approve_comment", True),
        ("approve_confirm", True),
        ("approve_commentary", False),  # Bolt `search`es the pattern: anchored at both ends
        ("re_reject", False),
        ("approve|reject", False),
        ("", False),
    ],
)
def test_the_buttons_pattern_matches_each_approval_button_exactly(
    action_id: str, matches: bool
) -> None:
    # Bolt matches a listener's `action_id` pattern with `re.search`
    assert (BUTTONS.search(action_id) is not None) == matches


def test_reason_submission_reads_metadata_and_trims_the_reason() -> None:
    view = {"id": "V1", "callback_id": "reject_reason", "private_metadata": APPROVAL_ID}

    parsed = to_reason_submission(view_submission(view=view, user_id="U0DAVE", reason="  late  "))

    assert (parsed.approval_id, parsed.user_id, parsed.reason) == (APPROVAL_ID, "U0DAVE", "late")


NOW = 1_800_000_000


@pytest.mark.parametrize(
    ("timestamp", "signature", "fresh"),
    [
        (str(NOW), "v0=abc", True),
        (str(NOW - 300), "v0=abc", True),
        (str(NOW - 301), "v0=abc", False),  # Slack's five minutes
        (str(NOW + 301), "v0=abc", False),
        ("", "v0=abc", False),
        (str(NOW), "", False),
        ("12a", "v0=abc", False),
        ("١٢", "v0=abc", False),  # Arabic-Indic digits: isdigit() but not Slack's
        ("9" * 400, "v0=abc", False),  # an OverflowError inside slack_sdk's verifier
        (str(NOW), "v0=é", False),  # a TypeError inside hmac.compare_digest
        (str(NOW), "v1=abc", False),
    ],
)
def test_only_well_formed_fresh_signing_headers_are_checked(
    timestamp: str, signature: str, fresh: bool
) -> None:
    assert is_fresh(timestamp, signature, now=NOW) is fresh


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("application/json", "application/json"),
        ("application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded"),
    ],
)
def test_content_type_is_read_as_bolt_reads_it(header: str | None, expected: str | None) -> None:
    assert content_type({} if header is None else {"content-type": header}) == expected


def test_every_recorded_request_parses_and_passes_the_guard() -> None:
    # Given every request in the corpus, as Slack sends it
    for entry in slack_corpus.entries():
        # When it is parsed as Bolt will parse it
        body = parse(entry.body(), entry.content_type)

        # Then nothing Slack sends is refused
        assert shape_problem(body) is None, entry.name
        is_check = is_ssl_check(entry.body(), entry.content_type)
        assert is_check is entry.name.startswith("ssl_check"), entry.name


def test_json_bodies_are_read_as_the_payload_itself() -> None:
    # Bolt treats a JSON body (or any body starting with "{") as the payload: so does the guard
    body = parse('{"type": "block_actions", "actions": []}', None)

    assert shape_problem(body) == "block_actions without an action_id"


@pytest.mark.parametrize(
    ("text", "media_type", "problem"),
    [
        ("[1, 2]", "application/json", "not an object"),
        ("{not json", None, "not readable JSON or form data"),
        ("payload=%7Bnot", "application/x-www-form-urlencoded", "not readable JSON or form data"),
        ("payload=%5B1%5D", "application/x-www-form-urlencoded", "not an object"),
        ("[" * 60_000, "application/json", "not readable JSON or form data"),  # RecursionError
        ("payload=" + "%5B" * 60_000, None, "not readable JSON or form data"),
    ],
)
def test_unreadable_bodies_are_refused(text: str, media_type: str | None, problem: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse(text, media_type)

    assert caught.value.problem == problem


def _payload(**fields: Any) -> dict[str, Any]:
    action = {"action_id": "approve"}
    return {"type": "block_actions", "user": {"id": "U0BOB"}, "actions": [action]} | fields


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (_payload(enterprise=None, team=None), None),  # ordinary workspace; org-wide install
        (_payload(enterprise={"id": "E1"}, team="T1"), None),
        (_payload(enterprise=5), "enterprise must be an object, a string or null"),
        (_payload(user=[]), "user must be an object, a string or null"),
        (_payload(actions=[]), "block_actions without an action_id"),
        (_payload(actions=[{}]), "block_actions without an action_id"),  # found by the fuzzer
        (_payload(actions=[{"action_id": 7}]), "block_actions without an action_id"),
        (_payload(actions=[1]), "actions must be a list of objects"),
        (_payload(actions={"a": 1}), "actions must be a list of objects"),
        (_payload(authorizations=None), "authorizations must be a list of objects"),
        (_payload(response_urls=[None]), "response_urls must be a list of objects"),
        (_payload(container=None), None),
        (_payload(container=[]), "container must be an object or null"),
        ({"type": "view_submission"}, "a view without a type and callback_id"),
        (
            {"type": "view_closed", "view": {"type": "modal"}},
            "a view without a type and callback_id",
        ),
        ({"type": "view_submission", "view": {"callback_id": "", "type": "modal"}}, None),
        ({"type": "event_callback", "event": "x"}, "event must be an object or null"),
        ({"type": "event_callback"}, "event_callback without an event type"),
        ({"type": "event_callback", "event": {"type": 5}}, "event_callback without an event type"),
        ({"type": "shortcut", "callback_id": "x"}, None),  # not ours: Bolt answers it
        ({"command": "/approvals", "text": ""}, None),
    ],
)
def test_only_shapes_bolt_would_trip_over_are_refused(
    body: dict[str, Any], problem: str | None
) -> None:
    assert shape_problem(body) == problem


@pytest.mark.parametrize(
    ("text", "media_type", "expected"),
    [
        ("token=random&ssl_check=1", "application/x-www-form-urlencoded", True),
        ("ssl_check=1&token=x", None, True),
        ('{"ssl_check": "1"}', "application/json", False),  # only Slack's form counts
        ("ssl_check=1", "application/json", False),
        ("payload=%7B%7D&ssl_check=1", None, False),
        ("ssl_check=1&payload=%7B%7D", None, False),  # a click with a check field: a click
        ("ssl_check=0", None, False),
        ("&".join(f"f{n}=1" for n in range(50)) + "&ssl_check=1", None, False),  # too many fields
    ],
)
def test_ssl_check_is_a_plain_form_read_without_decoding_json(
    text: str, media_type: str | None, expected: bool
) -> None:
    try:
        found = is_ssl_check(text, media_type)
    except ValueError:
        found = False
    assert found is expected
