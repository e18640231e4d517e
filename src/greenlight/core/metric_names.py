"""The CloudWatch metrics Greenlight writes, graphs and alarms on, named once.

The gate (`greenlight.gate.metrics`) and the webhook (`greenlight.webhook.approval_metrics`)
write them as EMF lines; the CDK construct's dashboard graphs them and its alarms watch them
(`greenlight.cdk.dashboard`, `greenlight.cdk.alarms`). All four import the names from here, the
one module all may import (the construct must not load the functions' dependencies, and the
webhook's cold start loads nothing more for it), so a rename cannot leave a graph empty or an
alarm silent. tests/unit/cdk/test_construct.py checks the synthesized dashboard against the
EMF lines the functions really write.
"""

NAMESPACE = "Greenlight"
# The dimension every EMF metric carries: the writing function's name (the gate sets it from
# AWS_LAMBDA_FUNCTION_NAME; for the webhook Powertools sets it from POWERTOOLS_SERVICE_NAME)
SERVICE = "service"

# Written by the gate, in the steps that post or expire an approval
REQUESTED = "ApprovalsRequested"
EXPIRED = "ApprovalsExpired"
# ... and in the post step when it refuses a request (rejected automatically: no one may decide
# it, or too few of its approvers can be reached), which is then neither requested nor decided
REFUSED = "ApprovalsRefused"
# ... and in each rung step run again after its retries ("... without Slack") in which a Slack
# call still failed (a reminder, an escalation's notices, an expiry's redraw; the ladder went
# on without it): once per such step
RUNGS_WITHOUT_SLACK = "RungsWithoutSlack"

# Written by the webhook, once per decision: the count by `OUTCOME`, and the seconds it took
DECIDED = "ApprovalsDecided"
OUTCOME = "outcome"  # dimension: the decided record's status (approved, rejected)
TIME_TO_DECISION = "TimeToDecision"

# Not EMF: a metric filter on each requester's log group counts the gate's "approval expired"
# lines into one metric per installation (`expired_from_logs`), without dimensions, so one
# alarm covers every requester of that installation. A metric filter's dimensions can only be
# fields of the log line (CloudWatch Logs' MetricTransformation), which names no installation:
# the installation's prefix goes in the metric's name, or two in one account would share it.
EXPIRED_FROM_LOGS = "ExpiredApprovals"


def expired_from_logs(prefix: str) -> str:
    """The expired-approvals metric of the installation named `prefix`."""
    return f"{EXPIRED_FROM_LOGS}-{prefix}"
