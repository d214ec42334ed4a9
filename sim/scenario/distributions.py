"""The distributions a scenario may use for times: operation length, length of stay, ...

Each is written in YAML as a mapping with a ``dist`` key, for example::

    length_of_stay: {dist: lognormal, mean: 3 days, sd: 2 days}
    duration: 95 min                      # shorthand for {dist: fixed, value: 95 min}

Every parameter is a duration with a unit and is held in days. Each distribution checks
its own parameters (a triangular's mode must lie between low and high, ...) and knows
its ``mean`` (used for planning, e.g. to fill a theatre list) and how to ``sample`` a
block of values from a numpy ``Generator``.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, Field, model_validator

from .base import Spec
from .units import NonNegativeDuration, PositiveDuration, format_duration


class _Dist(Spec):
    """Common behaviour: ``mean`` in days and ``sample(rng, n)``."""

    @property
    def mean(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: NonNegativeDuration

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)


class Exponential(_Dist):
    """Memoryless times with the given mean (the M in M/M/c)."""

    dist: Literal["exponential"]
    mean_: PositiveDuration = Field(alias="mean")

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_, n)


class Lognormal(_Dist):
    """Right-skewed times given by their mean and standard deviation (not the log's)."""

    dist: Literal["lognormal"]
    mean_: PositiveDuration = Field(alias="mean")
    sd: PositiveDuration

    @property
    def mean(self) -> float:
        return self.mean_

    def _log_params(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.sd / self.mean_) ** 2)
        return math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._log_params()
        return rng.lognormal(mu, sigma, n)


class Gamma(_Dist):
    """Gamma times given by mean and standard deviation."""

    dist: Literal["gamma"]
    mean_: PositiveDuration = Field(alias="mean")
    sd: PositiveDuration

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = (self.mean_ / self.sd) ** 2
        return rng.gamma(shape, self.sd**2 / self.mean_, n)


class Triangular(_Dist):
    """Times between ``low`` and ``high``, most often near ``mode``."""

    dist: Literal["triangular"]
    low: NonNegativeDuration
    mode: NonNegativeDuration
    high: NonNegativeDuration

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                "a triangular distribution needs low <= mode <= high and low < high; got "
                f"low {format_duration(self.low)}, mode {format_duration(self.mode)}, "
                f"high {format_duration(self.high)}"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)


class Uniform(_Dist):
    """Any time between ``low`` and ``high`` equally likely."""

    dist: Literal["uniform"]
    low: NonNegativeDuration
    high: NonNegativeDuration

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(
                "a uniform distribution needs low < high; got low "
                f"{format_duration(self.low)}, high {format_duration(self.high)}"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Empirical(_Dist):
    """Observed values, drawn with the given weights (equal weights when omitted)."""

    dist: Literal["empirical"]
    values: list[NonNegativeDuration] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"an empirical distribution needs one weight per value "
                    f"({len(self.values)} values, {len(self.weights)} weights)"
                )
            if sum(self.weights) <= 0:
                raise ValueError("an empirical distribution's weights must not all be zero")
        return self

    def _probabilities(self) -> np.ndarray:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return w / w.sum()

    @property
    def mean(self) -> float:
        return float(np.dot(self._probabilities(), self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size=n, p=self._probabilities())


def _shorthand(value: object) -> object:
    """``"95 min"`` means a fixed time."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


DISTRIBUTIONS: dict[str, type[_Dist]] = {
    "fixed": Fixed,
    "exponential": Exponential,
    "lognormal": Lognormal,
    "gamma": Gamma,
    "triangular": Triangular,
    "uniform": Uniform,
    "empirical": Empirical,
}

#: The mapping form: one of :data:`DISTRIBUTIONS`, chosen by its ``dist`` key.
_DistMapping = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Triangular | Uniform | Empirical,
    Field(discriminator="dist"),
]

#: A time distribution: a mapping such as ``{dist: lognormal, mean: 3 days, sd: 2 days}``,
#: or a single duration (``95 min``) meaning a fixed time.
TimeDist = Annotated[
    _DistMapping,
    BeforeValidator(_shorthand, json_schema_input_type=_DistMapping | NonNegativeDuration),
]
