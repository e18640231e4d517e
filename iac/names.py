"""Physical names of the order example, shared by its stack, its policies and the operator scripts.

Greenlight's own resources (tables, webhook, relay, secret, alerts) are named by the construct
from the same prefix (`greenlight.cdk.names.Names`); the scripts use both.
"""

from __future__ import annotations

from greenlight.cdk.names import Names

PREFIX = "greenlight"
GREENLIGHT = Names(PREFIX)
ORDERS_FUNCTION = f"{PREFIX}-orders"
ORDERS_LABEL = "orders"  # its requester label: its alarms' names, its approval ids' start
STARTER_FUNCTION = f"{PREFIX}-order-starter"
WEBHOOK_FUNCTION = GREENLIGHT.webhook_function
RELAY_FUNCTION = GREENLIGHT.relay_function
RELAY_DLQ = GREENLIGHT.relay_dlq
EVENT_BUS = f"{PREFIX}-orders"
EVENTS_DLQ = f"{PREFIX}-order-events-dlq"
ALIAS = "live"
SECRET = GREENLIGHT.secret
SIGNING_SECRET = GREENLIGHT.signing_secret
ALERT_TOPIC = GREENLIGHT.alert_topic
TABLES = {
    "approvals": GREENLIGHT.approvals_table,
    "audit": GREENLIGHT.audit_table,
    "delegations": GREENLIGHT.delegations_table,
    "reservations": f"{PREFIX}-reservations",
    "conditions": f"{PREFIX}-conditions",
}
# The order tables only: Greenlight's construct makes the other three.
ORDER_TABLES = ("reservations", "conditions")
