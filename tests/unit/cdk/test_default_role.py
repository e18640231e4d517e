"""The README's step 4 as a user writes it: `grant_requester` on a plain `lambda_.Function`.

A function given no `role=` gets CDK's own service role, a child of the function. The grant's
policy names that role, so the role must not also wait for the policy: CloudFormation refuses a
template whose resources depend on each other in a circle ("Circular dependency between
resources"), and `cdk synth` already warns of it (CloudFormation-Validate F3004).
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # after the Node warning is silenced
from aws_cdk import aws_lambda as lambda_

from greenlight.cdk import Greenlight


def references(value: Any) -> set[str]:
    """The logical ids a resource's properties point at (Ref, Fn::GetAtt)."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            else:
                found |= references(inner)
        return found
    if isinstance(value, list):
        return set().union(*(references(v) for v in value)) if value else set()
    return set()


def cycles(resources: dict[str, Any]) -> list[list[str]]:
    """Every circle of dependencies (Ref, GetAtt, DependsOn) among the template's resources."""
    edges = {
        rid: (references(r.get("Properties", {})) | set(r.get("DependsOn", []))) & set(resources)
        for rid, r in resources.items()
    }
    found: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        for nxt in edges[node]:
            if nxt == path[0]:
                found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # each circle once, from its least id
                walk(nxt, [*path, nxt])

    for start in edges:
        walk(start, [start])
    return found


def test_a_function_with_its_default_role_can_be_granted_without_a_cycle(tmp_path: Any) -> None:
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    stack = cdk.Stack(app, "AgentStack")
    agent_fn = lambda_.Function(  # no role=: CDK makes its ServiceRole, as most users let it
        stack,
        "Agent",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
        durable_config=lambda_.DurableConfig(execution_timeout=cdk.Duration.days(1)),
    )
    greenlight = Greenlight(
        stack,
        "Greenlight",
        webhook_code=lambda_.Code.from_inline("def handler(event, context): pass"),
        slack_app_id="A0123456789",
        slack_team_id="T0123456789",
    )
    greenlight.grant_requester(agent_fn)

    template = app.synth().get_stack_by_name("AgentStack").template

    assert cycles(template["Resources"]) == []
