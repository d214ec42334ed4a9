"""Places on results objects that a later layer fills: ``results.plot`` and the like.

The experiment layer holds numbers and never imports the report layer, yet a researcher
expects ``res.plot.waiting_list()``. As pandas does for ``DataFrame.plot``, the class
declares an :class:`Accessor` and the report package registers what it returns, when it
is imported (``import sim`` does that on first use of an experiment)::

    class Results:
        plot = Accessor("Plots of these results (matplotlib), e.g. res.plot.waiting_list().")

    @register_accessor(Results, "plot")     # in sim.report
    class ResultPlots:
        def __init__(self, results): ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T", bound=Callable[..., Any])


class Accessor:
    """An attribute that builds ``impl(obj)`` on each access, once a later layer registers
    ``impl``; until then it raises an ``AttributeError`` saying what to import."""

    def __init__(self, doc: str, provider: str = "sim.report") -> None:
        self.__doc__ = doc
        self.provider = provider
        self.impl: Callable[[Any], Any] | None = None
        self.name = "?"
        self.owner = "?"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.owner = name, owner.__name__

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if self.impl is None:
            raise AttributeError(
                f"{self.owner}.{self.name} is provided by {self.provider}: import "
                f"{self.provider} first ('import sim' does it when an experiment is first used)"
            )
        return self.impl if obj is None else self.impl(obj)


def register_accessor(cls: type, name: str) -> Callable[[T], T]:
    """Decorator: ``cls().<name>`` returns ``impl(obj)`` from now on (``name`` must be an
    :class:`Accessor` that ``cls`` declares)."""
    slot = cls.__dict__.get(name)
    if not isinstance(slot, Accessor):
        raise TypeError(f"{cls.__name__} declares no accessor {name!r}")

    def register(impl: T) -> T:
        slot.impl = impl
        return impl

    return register
