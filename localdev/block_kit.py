"""What Slack accepts as Block Kit: slack_sdk's models, plus the documented limits they skip.

The fake Slack refuses with it as Slack does (`invalid_blocks` for a message, `invalid_arguments`
for a view), and the tests check everything we render with it. Each problem reads like Slack's
own: `[ERROR] <what> [json-pointer:<where>]`.

slack_sdk 3.47 (`slack_sdk/models/blocks`, `slack_sdk/models/views`) enforces, among others:
section text 3000 and 10 fields, header 150, actions 25 elements, context 10 elements, button
text 75 and value 2000, action_id and block_id 255, view title/submit/close 24, private_metadata
3000, 100 blocks a view. `to_dict()` validates nested objects; anything its models do not know
(an unknown block type or key, an empty text) it drops, so a payload that does not survive the
round trip unchanged is not Block Kit. What it leaves out is checked here, each with its source
(docs.slack.dev/reference/...):
- `block-kit/blocks`: "up to 50 blocks in each message".
- `block-kit/composition-objects/text-object`: text 1 to 3000 characters.
- `block-kit/blocks/section-block`: each field at most 2000 characters.
- `block-kit/blocks/header-block`, `block-elements/button-element`, `surfaces/views`: header,
  button, title, submit and close texts are `plain_text`.
- `block-kit/block-elements/plain-text-input-element`: max_length 1 to 3000, min_length 0 to 3000.
- `methods/chat.update` (error `msg_too_long`): a message's `text` at most 4,000 characters.
- `methods/chat.postMessage` (error `msg_blocks_too_long`, "Blocks submitted with this message
  are too long"): the bound is undocumented; Slack's maintainers gave it as "12,000 text
  characters with a buffer for block containers" (slackapi/bolt-js#2509, quoted in
  slackapi/bolt-js#2867), so every `text` of the blocks together at most 12,000 characters.
"""

from __future__ import annotations

import json
import logging

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS_MAX = 50
TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
INPUT_LENGTH_MAX = 3000
MESSAGE_TEXT_MAX = 4000
BLOCKS_TEXT_MAX = 12_000
PLAIN_ONLY = {"header": "text", "button": "text"}
VIEW_PLAIN_ONLY = ("title", "submit", "close")

# slack_sdk logs a warning for every unknown block or key; the round trip reports them instead.
logging.getLogger("slack_sdk.models").setLevel(logging.ERROR)


def _problem(what: str, where: str) -> str:
    return f"[ERROR] {what} [json-pointer:{where}]"


def decode(value: object) -> object:
    """A JSON-encoded string argument as Slack reads it (form bodies carry blocks as strings)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def message_problems(blocks: object) -> list[str]:
    """Why Slack would refuse these message blocks (`invalid_blocks`); empty when it accepts."""
    blocks = decode(blocks)
    if not isinstance(blocks, list):
        return [_problem("must provide an array", "/blocks")]
    problems = []
    if len(blocks) > MESSAGE_BLOCKS_MAX:
        problems.append(_problem(f"no more than {MESSAGE_BLOCKS_MAX} items allowed", "/blocks"))
    for index, block in enumerate(blocks):
        problems += _block_problems(block, f"/blocks/{index}")
    return problems


def view_problems(view: object) -> list[str]:
    """Why Slack would refuse this view (`invalid_arguments`); empty when it accepts."""
    view = decode(view)
    if not isinstance(view, dict):
        return [_problem("must provide an object", "/view")]
    try:
        rendered = View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, AttributeError) as err:
        return [_problem(str(err), "/view")]
    problems = _round_trip(view, rendered, "/view")
    for key in VIEW_PLAIN_ONLY:
        problems += _plain_only(view.get(key), f"/view/{key}")
    for index, block in enumerate(view.get("blocks") or []):
        problems += _block_problems(block, f"/view/blocks/{index}")
    return problems


def text_problems(text: object, where: str = "/text") -> list[str]:
    """Why Slack would refuse a message's `text` argument (`msg_too_long`)."""
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        return [_problem(f"must be less than {MESSAGE_TEXT_MAX + 1} characters", where)]
    return []


def blocks_too_long(blocks: object) -> bool:
    """Whether Slack would refuse these message blocks as `msg_blocks_too_long`: their texts
    together longer than `BLOCKS_TEXT_MAX`."""
    return _text_length(decode(blocks)) > BLOCKS_TEXT_MAX


def _text_length(node: object) -> int:
    # Counted here, not with greenlight.core.blocks.text_length: the fake judges what the
    # product sends by its own reading of Slack's bound, never by the product's code.
    if isinstance(node, list):
        return sum(_text_length(item) for item in node)
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        return own + sum(_text_length(v) for v in node.values() if isinstance(v, dict | list))
    return 0


# Blocks already checked, by their exact JSON and place: a redraw sends the same header,
# description, fields and links as the post before it, and slack_sdk's models (which walk every
# attribute of every object, `JsonObject.validate_json`) need not judge them again. The answer
# for a given block is always the same, so this skips work, never a check. Bounded: cleared
# when full.
_CHECKED: dict[tuple[str, str], tuple[str, ...]] = {}
CHECKED_MAX = 4096


def _block_problems(block: object, where: str) -> list[str]:
    try:
        key = (json.dumps(block), where)  # key order and types included: exactly what was sent
    except (TypeError, ValueError):  # not JSON (a caller's Python object): checked, not kept
        return _check_block(block, where)
    known = _CHECKED.get(key)
    if known is None:
        known = tuple(_check_block(block, where))
        if len(_CHECKED) >= CHECKED_MAX:
            _CHECKED.clear()
        _CHECKED[key] = known
    return list(known)


def _check_block(block: object, where: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [_problem("missing required field: type", where)]
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [_problem(f"unsupported type: {block['type']}", f"{where}/type")]
        rendered = parsed.to_dict()
    except (SlackObjectFormationError, TypeError, AttributeError) as err:
        return [_problem(str(err), where)]
    return _round_trip(block, rendered, where) + _documented_limits(block, where)


def _round_trip(sent: object, rendered: object, where: str) -> list[str]:
    """Where slack_sdk's model dropped or changed something: it is not Block Kit."""
    if isinstance(sent, dict) and isinstance(rendered, dict):
        problems = []
        for key, value in sent.items():
            if key not in rendered:
                problems.append(_problem(f"not a valid field or empty: {key}", f"{where}/{key}"))
            else:
                problems += _round_trip(value, rendered[key], f"{where}/{key}")
        return problems
    if isinstance(sent, list) and isinstance(rendered, list) and len(sent) == len(rendered):
        return [
            p
            for index, (a, b) in enumerate(zip(sent, rendered, strict=True))
            for p in _round_trip(a, b, f"{where}/{index}")
        ]
    return [] if sent == rendered else [_problem("failed to match schema", where)]


def _documented_limits(node: object, where: str) -> list[str]:
    """The limits Slack documents that slack_sdk's models do not check, anywhere in a block."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in _documented_limits(item, f"{where}/{i}")]
    if not isinstance(node, dict):
        return []
    problems = []
    kind = node.get("type")
    text = node.get("text")
    if kind in ("plain_text", "mrkdwn") and isinstance(text, str) and len(text) > TEXT_MAX:
        problems.append(_problem(f"must be less than {TEXT_MAX + 1} characters", f"{where}/text"))
    if kind == "section":
        for index, field in enumerate(node.get("fields") or []):
            if isinstance(field, dict) and len(str(field.get("text", ""))) > FIELD_TEXT_MAX:
                pointer = f"{where}/fields/{index}/text"
                problems.append(
                    _problem(f"must be less than {FIELD_TEXT_MAX + 1} characters", pointer)
                )
    if kind in PLAIN_ONLY:
        problems += _plain_only(node.get(PLAIN_ONLY[str(kind)]), f"{where}/{PLAIN_ONLY[str(kind)]}")
    if kind == "plain_text_input":
        problems += _in_range(node.get("max_length"), 1, f"{where}/max_length")
        problems += _in_range(node.get("min_length"), 0, f"{where}/min_length")
    for key, value in node.items():
        if isinstance(value, dict | list):
            problems += _documented_limits(value, f"{where}/{key}")
    return problems


def _plain_only(text: object, where: str) -> list[str]:
    if isinstance(text, dict) and text.get("type") != "plain_text":
        return [_problem("must be a plain_text text object", f"{where}/type")]
    return []


def _in_range(value: object, least: int, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int):
        return [_problem("must be an integer", where)]
    if not least <= value <= INPUT_LENGTH_MAX:
        return [_problem(f"must be between {least} and {INPUT_LENGTH_MAX}", where)]
    return []
