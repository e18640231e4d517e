"""Slack's published method reference, for the methods we call and the fake Slack serves.

Two sources, copied verbatim beside this file (see README.md there):
- `slack_web_openapi_v2.methods.json`: Slack's own OpenAPI 2.0 spec (slackapi/slack-api-specs,
  `web-api/slack_web_openapi_v2.json`), frozen in 2021.
- `slack_api_ref/<method>.json`: slack-ruby/slack-api-ref, a daily scrape of Slack's current
  method pages (`methods/<group>/<method>.json`): arguments, argument groups, errors.
A parameter is documented if either names it; an error if either lists it (or shows it in an
example response). Required arguments
and "one of" groups come from the current pages where the two disagree (views.open's
`trigger_id` is required in the 2021 spec, one of `trigger_id`/`interactivity_pointer` now).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SPEC = HERE / "slack_web_openapi_v2.methods.json"
REF = HERE / "slack_api_ref"
# Errors any method answers, whatever its page lists: auth before anything else
# (docs.slack.dev/authentication; listed per method in the 2021 spec) and rate limits
# (docs.slack.dev/apis/web-api/rate-limits).
COMMON_ERRORS = frozenset({"not_authed", "invalid_auth", "ratelimited"})


@dataclass(frozen=True)
class ArgGroup:
    """Arguments of which at least one (`required`) or at most one (`exclusive`) is given."""

    args: frozenset[str]
    required: bool
    exclusive: bool


@dataclass(frozen=True)
class Method:
    """One Web API method as Slack documents it."""

    name: str
    params: frozenset[str]
    required: frozenset[str]
    groups: tuple[ArgGroup, ...]
    errors: frozenset[str]

    def problems(self, args: set[str]) -> list[str]:
        """How a call with these argument names breaks the reference (empty if it does not)."""
        found = [f"{self.name}: undocumented argument {a!r}" for a in sorted(args - self.params)]
        found += [f"{self.name}: missing required {a!r}" for a in sorted(self.required - args)]
        for group in self.groups:
            given = args & group.args
            if group.required and not given:
                found.append(f"{self.name}: needs one of {sorted(group.args)}")
            if group.exclusive and len(given) > 1:
                found.append(f"{self.name}: at most one of {sorted(group.args)}")
        return found


@cache
def methods() -> dict[str, Method]:
    """Every method the reference holds, by name."""
    spec: dict[str, Any] = json.loads(SPEC.read_text())["paths"]
    found = {}
    for path in sorted(REF.glob("*.json")):
        ref = json.loads(path.read_text())
        name = ref["name"]
        (operation,) = spec["/" + name].values()
        spec_params = {p["name"] for p in operation.get("parameters", [])} - {"token"}
        spec_errors = (
            operation["responses"].get("default", {}).get("schema", {}).get("properties", {})
        )
        errors = set(spec_errors.get("error", {}).get("enum", [])) | set(ref.get("errors", {}))
        errors |= _example_errors(ref)
        groups = tuple(
            ArgGroup(
                frozenset(g["args"]),
                required=bool(g.get("required", True)),
                exclusive=bool(g.get("mutually_exclusive")),
            )
            for g in ref.get("arg_groups") or []
        )
        found[name] = Method(
            name=name,
            params=frozenset(spec_params | set(ref["args"])),
            required=frozenset(a for a, d in ref["args"].items() if d.get("required")),
            groups=groups,
            errors=frozenset(errors) | COMMON_ERRORS,
        )
    return found


def _example_errors(ref: dict[str, Any]) -> set[str]:
    """Error codes in the page's example responses (views.open shows `invalid_arguments` only
    there)."""
    found = set()
    for example in ref.get("response", {}).get("examples", []):
        try:
            error = json.loads(example).get("error")
        except ValueError:
            continue
        if isinstance(error, str):
            found.add(error)
    return found
