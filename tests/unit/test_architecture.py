"""Imports point inward, and each installable part pulls only what its extra installs.

The core imports no outside library; the gate (in a durable function) never imports Bolt or
Mangum; the webhook never imports the durable SDK; nothing in the library imports an example,
the local stack, the benchmarks or the tests.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import types
from pathlib import Path

import pytest

from greenlight import core

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "src" / "greenlight"
OUTSIDE = (
    "boto3",
    "botocore",
    "slack_bolt",
    "slack_sdk",
    "aws_lambda_powertools",
    "aws_durable_execution_sdk_python",
    "mangum",
    "aws_cdk",
    "constructs",
)


def imported_modules(package: Path) -> set[tuple[str, str]]:
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {(path.name, alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((path.name, node.module))
    return found


def test_the_core_imports_only_the_standard_library_and_itself() -> None:
    bad = {(f, m) for f, m in imported_modules(LIBRARY / "core") if m.split(".")[0] in OUTSIDE}

    assert bad == set()


@pytest.mark.parametrize("part", ["webhook", "aws", "slack", "core"])
def test_the_webhook_side_never_imports_the_durable_sdk(part: str) -> None:
    bad = {
        (f, m)
        for f, m in imported_modules(LIBRARY / part)
        if m.startswith(("aws_durable_execution_sdk_python", "greenlight.gate"))
    }

    assert bad == set()


@pytest.mark.parametrize("part", ["gate", "aws", "slack", "core"])
def test_the_durable_side_never_imports_bolt_or_mangum(part: str) -> None:
    bad = {
        (f, m)
        for f, m in imported_modules(LIBRARY / part)
        if m.startswith(("slack_bolt", "mangum", "greenlight.webhook"))
    }

    assert bad == set()


def test_the_library_never_imports_examples_the_local_stack_or_tests() -> None:
    mine = ("examples", "localdev", "tests", "bench", "iac")
    bad = {(f, m) for f, m in imported_modules(LIBRARY) if m.split(".")[0] in mine}

    assert bad == set()


def test_the_testing_helpers_import_only_the_standard_library_and_the_core() -> None:
    # greenlight.testing is for users' own tests: it must install with no extra at all
    allowed = set(sys.stdlib_module_names) | {"greenlight"}
    found = imported_modules(LIBRARY / "testing")
    bad = {
        (f, m)
        for f, m in found
        if m.split(".")[0] not in allowed
        or (
            m.startswith("greenlight.")
            and not m.startswith(("greenlight.core", "greenlight.testing"))
        )
    }

    assert found
    assert bad == set()


def test_the_construct_imports_cdk_and_names_only_never_a_lambda_runtime() -> None:
    """A CDK app installs `greenlight[cdk]` alone: nothing the Lambdas run may be imported."""
    allowed_ours = ("greenlight.cdk", "greenlight.core", "greenlight.webhook.settings")
    # `from greenlight.webhook import settings` is recorded as "greenlight.webhook"
    allowed_exact = {"greenlight.webhook"}
    bad = {
        (f, m)
        for f, m in imported_modules(LIBRARY / "cdk")
        if (
            m.startswith("greenlight") and not m.startswith(allowed_ours) and m not in allowed_exact
        )
        or m.split(".")[0] in set(OUTSIDE) - {"aws_cdk", "constructs"}
    }

    assert bad == set()


def _loaded_after(statement: str) -> set[str]:
    """Our modules a fresh interpreter has loaded after running `statement`."""
    code = f"import sys; {statement}; print(' '.join(m for m in sys.modules if 'greenlight' in m))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(done.stdout.split())


def test_a_core_module_loads_only_what_it_imports_not_the_whole_core() -> None:
    # The package's public names are loaded on first use (PEP 562)
    loaded = _loaded_after("import greenlight.core.votes")

    assert loaded == {
        "greenlight",
        "greenlight.core",
        "greenlight.core.votes",
        "greenlight.core.errors",
    }


def test_every_public_core_name_still_imports_from_the_package() -> None:
    homes = {name: getattr(core, name).__module__ for name in core.__all__}

    assert set(core.__all__) <= set(dir(core))
    assert homes["Policy"] == "greenlight.core.policy"
    assert homes["ApproverPolicy"] == "greenlight.core.approvers"  # re-exported by policy
    assert homes["Channel"] == "greenlight.core.route"
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        getattr(core, "Nope")  # noqa: B009  # the name a type checker would refuse


def test_the_core_names_its_type_checker_reads_are_the_ones_it_loads_and_exports() -> None:
    # Three lists in greenlight/core/__init__.py: the imports under TYPE_CHECKING (what mypy
    # sees), `_HOMES` (what is loaded at run time) and `__all__`; none may drift from the others
    tree = ast.parse((LIBRARY / "core" / "__init__.py").read_text())
    checked = {
        alias.asname or alias.name: node.module.removeprefix("greenlight.core.")
        for guard in tree.body
        if isinstance(guard, ast.If) and ast.unparse(guard.test) == "_typing.TYPE_CHECKING"
        for node in guard.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }

    assert checked == core._HOMES  # the package's own table
    assert sorted(checked) == sorted(core.__all__)
    assert set(dir(core)) >= set(core.__all__)
    assert not {name for name in dir(core) if name not in core.__all__ and not _is_module(name)}


def _is_module(name: str) -> bool:
    return isinstance(getattr(core, name), types.ModuleType)


def test_the_webhook_entry_points_imports_load_nothing_only_the_gate_or_relay_use() -> None:
    # What `greenlight.webhook.handler` imports, at the top or inside its init's block (its
    # module body then needs AWS: see tests/integration/test_webhook_cold_start_imports.py for
    # the whole cold start)
    handler = LIBRARY / "webhook" / "handler.py"
    ours = sorted(
        node.module
        for node in ast.walk(ast.parse(handler.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("greenlight")
    )
    loaded = _loaded_after("; ".join(f"import {m}" for m in ours))

    assert "greenlight.webhook.build" in loaded
    not_the_webhooks = (
        *("greenlight.gate", "greenlight.ops", "greenlight.cdk", "greenlight.testing"),
        *("greenlight.core.policy", "greenlight.core.ladder", "greenlight.core.route"),
        *("greenlight.core.outcome", "greenlight.core.audit", "greenlight.webhook.relay"),
    )
    assert sorted(m for m in loaded if m.startswith(not_the_webhooks)) == []
