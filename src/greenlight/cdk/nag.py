"""cdk-nag findings accepted in code, each with its reason beside the resource it is about."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_cdk import Acknowledgment, Stack, Validations

if TYPE_CHECKING:
    from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Accept one cdk-nag finding on one construct."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))


def acknowledge_resource(construct: IConstruct, resource: str, reason: str) -> None:
    """Accept a wildcard in one policy resource (AwsSolutions-IAM5), named as cdk-nag names it.

    A finding's id holds the resource flattened the way cdk-nag flattens it, so the same ARN
    matches whether the stack's region and account are tokens or concrete values.
    """
    flat = flatten(Stack.of(construct).resolve(resource))
    acknowledge(construct, f"AwsSolutions-IAM5[Resource::{flat}]", reason)


def flatten(node: Any) -> str:  # noqa: PLR0911  # one branch per intrinsic, as cdk-nag's
    """A resolved CloudFormation value as one string, as cdk-nag 3.0.2 renders it in a finding
    (its lib/utils/flatten-cfn-reference: a Ref as `<Id>`, a GetAtt as `<Id.Attr>`, a Join
    joined, a Sub with `${…}` as `<…>`)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten(item) for item in items)
        if "Fn::Sub" in node:
            return flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten(resource)}.{flatten(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))
