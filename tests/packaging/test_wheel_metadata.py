"""What the wheel's metadata tells a user who installs it.

- The `dev` extra (moto, playwright, awscli, ruff, mypy, ... and `greenlight[...]` itself) is
  this repository's tooling, not a feature: published, `pip install greenlight[dev]` installs a
  browser automation stack into someone's function. It belongs in a dependency group
  (PEP 735 `[dependency-groups]`) or a requirements file, not in `Provides-Extra`.
- `License-Expression: Apache-2.0` is declared, but no license text ships: Apache-2.0 section
  4(a) requires giving recipients a copy (PEP 639 `License-File`).
"""

from __future__ import annotations

import zipfile
from email.parser import Parser
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e


def metadata(wheel: Path) -> tuple[list[str], list[str]]:
    with zipfile.ZipFile(wheel) as built:
        names = built.namelist()
        (path,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        fields = Parser().parsestr(built.read(path).decode())
    return fields.get_all("Provides-Extra") or [], names


def test_only_the_user_facing_extras_are_published(wheel: Path) -> None:
    extras, _ = metadata(wheel)

    assert sorted(extras) == ["cdk", "gate", "webhook"]


def test_the_license_text_ships_with_the_wheel(wheel: Path) -> None:
    _, names = metadata(wheel)

    assert any("/licenses/" in n or n.rsplit("/", 1)[-1].startswith("LICENSE") for n in names)
