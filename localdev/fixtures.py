"""The local workspace: one team, one app, one channel and a handful of people to act as.

Ids are obviously fake (Slack would never issue them) and no value here is a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T0GREENLT"
TEAM_DOMAIN = "greenlight-local"
APP_ID = "A0GREENLT"
BOT_USER_ID = "U0GLBOT"
CHANNEL_ID = "C0APPROVALS"
CHANNEL_NAME = "approvals"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the developer can act as."""

    user_id: str
    name: str
    real_name: str
    role: str


PEOPLE = (
    Person("U0ALICE", "alice", "Alice Requester", "requester"),
    Person("U0BOB", "bob", "Bob Approver", "approver"),
    Person("U0CAROL", "carol", "Carol Approver", "approver"),
    Person("U0DAVE", "dave", "Dave Approver", "approver"),
    Person("U0EVE", "eve", "Eve Outsider", "outsider"),
    Person("U0FRANK", "frank", "Frank Director", "escalation"),
)
ESCALATION_ID = "U0FRANK"
APPROVER_IDS = tuple(p.user_id for p in PEOPLE if p.role == "approver")
APPROVERS_GROUP = "S0FINANCE"
ONCALL_GROUP = "S0ONCALL"  # the deploy gate's on-call rotation (examples/deploy_gate)
RELEASE_MANAGER_ID = "U0FRANK"  # signs off production deploys after the on-call
USERGROUPS = {APPROVERS_GROUP: APPROVER_IDS, ONCALL_GROUP: APPROVER_IDS}
# People who left: their accounts are deactivated, so Slack refuses to open a DM with them
# (`conversations.open` answers `user_disabled`); nobody can act as them, so not in PEOPLE.
DEACTIVATED = (
    Person("U0OSCAR", "oscar", "Oscar Departed", "deactivated"),
    Person("U0PEGGY", "peggy", "Peggy Departed", "deactivated"),
)
DEACTIVATED_IDS = frozenset(p.user_id for p in DEACTIVATED)


def person(name_or_id: str) -> Person:
    """Find someone by user id or short name.

    Raises:
        KeyError: nobody by that name.
    """
    for p in PEOPLE:
        if name_or_id in (p.user_id, p.name):
            return p
    known = ", ".join(p.name for p in PEOPLE)
    raise KeyError(f"no local user {name_or_id!r}; choose one of: {known}")


def anyone(user_id: str) -> Person:
    """A fixture person, or a guest with that user id (for tests with many approvers)."""
    try:
        return person(user_id)
    except KeyError:
        return Person(user_id, user_id.lower(), user_id, "guest")
