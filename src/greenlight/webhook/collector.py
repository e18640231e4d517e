"""The garbage collector during a Lambda container's init: paused, then the init frozen.

Importing boto3, Bolt and Powertools and building the clients creates about 125,000 objects
the collector tracks, nearly all of them kept for the container's life (modules, service
models, endpoint rules, the app). While they are being created the collector runs its young
collections over and over and at least one full one: measured on the deployed bundle under
python3.13, 35 ms of a 270 ms cold start (`bench.run`, `bench.cold_runtime`). After init,
every full collection walks them all again (a full `gc.collect()` then takes about 30 ms), and
one that lands during a click delays it by that much.

So the entry points import and build with the collector off, then `gc.freeze()` what init
made: frozen objects are left out of every later collection (the standard library's advice
for long-lived objects made at start, https://docs.python.org/3/library/gc.html#gc.freeze).
What init left as cyclic garbage stays frozen too: about 400 objects, once per container.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the collector off, then freeze what exists and turn it back on,
    also when the block raises (a failed init leaves the collector as it found it, enabled).

    The collector is turned back on only if it was on before: a caller that runs with it off
    keeps it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
