"""Things due later, put on SimPy's own event queue without a Timeout.

A :class:`Due` object is its own event: ``due(env, delay, callbacks)`` schedules it, and at
that time SimPy calls each of ``callbacks`` with it, as it would a timeout's. The callbacks
are a class's own functions held in a tuple made once (not a bound method or closure
made for every event), so a model component that is due again and again (an arrival
stream, a session, a bed being turned round) allocates nothing per event and holds no
reference cycle: the collector, paused while a model runs, has nothing to find.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy

NORMAL = 1
"""SimPy's priority of an ordinary event (``simpy.core.NORMAL``)."""


class Due:
    """Base of an object that is its own SimPy event (see the module's docstring)."""

    __slots__ = ("callbacks",)

    _ok = True
    """Read by SimPy after the callbacks: a due object never fails."""

    def due(
        self,
        env: simpy.Environment,
        delay: float,
        callbacks: tuple[Callable[[Any], None], ...],
    ) -> None:
        """Be processed ``delay`` days from now, by ``callbacks`` (as ``env.timeout(delay)``
        would be: same time, same place in the order of events)."""
        self.callbacks = callbacks
        env.schedule(self, NORMAL, delay)  # type: ignore[arg-type]
