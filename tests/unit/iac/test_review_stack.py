"""Review (adversarial): what a failed first deploy leaves behind.

Sources:
- CloudFormation template reference, aws-attribute-deletionpolicy.html: `Retain` keeps the
  resource whatever the operation; `RetainExceptOnCreate` "behaves like Retain for stack
  operations, except for the stack operation that initially created the resource. If the stack
  operation that created the resource is rolled back, CloudFormation deletes the resource"
  (CDK: `RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE`).
- AWS What's New, 2023-07-31 ("AWS CloudFormation deletion policies ... dev-test cycle"): during
  a rollback CloudFormation deletes what the operation created; "if resources are retained
  during rollback, they interfere with retries of the stack operation".

Every table here is named (`greenlight-approvals`, ...) and kept with `Retain`. A first deploy
that fails after the tables exist - README's own example: an account whose concurrency quota
leaves nothing for the webhook's reserved 10 - rolls back and keeps all five, deletion-protected;
the retried deploy (`--webhook-concurrency none`) then fails on "greenlight-approvals already
exists" until someone deletes them by hand (`destroy.sh --delete-data` does, undocumented).
Note for the fix: DeleteTable refuses a deletion-protected table (ResourceInUseException), so
`RetainExceptOnCreate` needs the protection to come on after the first create, or the rollback's
delete fails too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from iac.stack import OrdersConfig
from tests.unit.cdk.test_construct import resources
from tests.unit.iac.test_stack import CONFIG, synthesized

if TYPE_CHECKING:
    from aws_cdk.assertions import Template


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return synthesized(tmp_path_factory, CONFIG)


def test_a_rolled_back_first_deploy_leaves_no_named_table_behind(template: Template) -> None:
    tables = resources(template, "AWS::DynamoDB::Table")
    assert len(tables) == 5

    policies = {t["Properties"]["TableName"]: t["DeletionPolicy"] for t in tables.values()}

    # kept on every later update and on stack deletion, but not by the create that failed
    assert policies == dict.fromkeys(policies, "RetainExceptOnCreate")


@pytest.mark.parametrize("expire", ["2592000", "3000000"])
def test_a_ladder_outlasting_the_execution_timeout_stops_the_synth(expire: str) -> None:
    # The gate refuses such a ladder on every request (`greenlight.gate.refusals.check_fits`:
    # expire >= GREENLIGHT_EXECUTION_TIMEOUT, which the grant sets to the 30-day timeout), so
    # `deploy.sh --ladder-dual 3600,14400,2592000` deploys cleanly and then fails every order of
    # that tier; `_check_ladders` only parses the ladder, though it knows the timeout here
    config = vars(CONFIG) | {"ladders": {"dual": f"3600,14400,{expire}"}}
    assert CONFIG.execution_timeout_days * 86400 <= int(expire)

    with pytest.raises(ValueError, match="execution"):
        OrdersConfig(**config)
