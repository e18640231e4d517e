"""Lambda entry point of the durable order workflow (`durable_fn.handler.handler`).

Dependencies are built once per container, at import, from the environment.
"""

from __future__ import annotations

from durable_fn.build import build_dependencies
from durable_fn.settings import Settings
from durable_fn.workflow import make_handler

_settings = Settings.from_env()
handler = make_handler(build_dependencies(_settings), _settings)
