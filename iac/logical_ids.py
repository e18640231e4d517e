"""Logical ids as the stack had them before Greenlight became a construct.

CloudFormation identifies a resource by its logical id. Moving the tables, the webhook and the
rest into the `Greenlight` construct put "Greenlight" into their construct paths, and CDK hashes
the path into the id: an update would create each named resource anew (its name still taken by
the old one: the update fails) and retained tables would be orphaned. The order stack therefore
allocates ids as if the construct's resources still sat at the top of the stack.

`unique_id` is CDK's own `makeUniqueId` (aws-cdk-lib 2.275.0, core/lib/private/uniqueid.js):
`Default` components dropped, a lone component used as is, else the path's components without
`Resource` and without repeats, letters and digits only, and the first 8 hex digits of the MD5
of the path.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

HIDDEN_ID = "Default"
HIDDEN_FROM_HUMAN_ID = "Resource"
HASH_LEN = 8
MAX_HUMAN_LEN = 240
MAX_ID_LEN = 255
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def unique_id(components: Sequence[str]) -> str:
    """The logical id CDK gives a resource at this path below its stack."""
    parts = [c for c in components if c != HIDDEN_ID]
    if not parts:
        msg = "a logical id needs at least one path component"
        raise ValueError(msg)
    if len(parts) == 1:
        candidate = _NOT_ALPHANUMERIC.sub("", parts[0])
        if len(candidate) <= MAX_ID_LEN:
            return candidate
    digest = hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()
    human = "".join(
        _NOT_ALPHANUMERIC.sub("", c) for c in _without_repeats(parts) if c != HIDDEN_FROM_HUMAN_ID
    )
    return human[:MAX_HUMAN_LEN] + digest[:HASH_LEN].upper()


def without_construct(components: Sequence[str], construct_id: str) -> list[str]:
    """The path as it was before the resources moved into the construct `construct_id`."""
    if len(components) > 1 and components[0] == construct_id:
        return list(components[1:])
    return list(components)


def _without_repeats(path: Sequence[str]) -> list[str]:
    kept: list[str] = []
    for component in path:
        if not kept or not kept[-1].endswith(component):
            kept.append(component)
    return kept
