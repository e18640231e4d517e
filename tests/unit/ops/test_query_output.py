"""list-pending.sh and audit.sh hand the AWS CLI's query output to these modules: output that is
not the CLI's JSON (an empty pipe after a failed query) is one clear line, exit 1."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest

from greenlight.ops import audit_timeline, pending

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.mark.parametrize("main", [pending.main, audit_timeline.main], ids=["pending", "audit"])
@pytest.mark.parametrize("given", ["", "Unable to locate credentials", "[]"])
def test_what_is_not_query_output_is_one_clear_error(
    main: Callable[[], int],
    given: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(given))

    assert main() == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_an_empty_query_is_no_pending_approval(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"Items": [], "Count": 0}'))

    assert pending.main() == 0
    assert capsys.readouterr().out == "no pending approvals\n"
