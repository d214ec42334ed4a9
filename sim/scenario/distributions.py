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
from .types import Weight
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
    weights: list[Weight] | None = None

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


class TruncatedNormal(_Dist):
    """A normal distribution given by its mean and standard deviation, cut to ``low`` ..
    ``high`` (by default no lower than zero, since times cannot be negative)."""

    dist: Literal["truncated_normal", "normal"]
    mu: NonNegativeDuration = Field(alias="mean")
    sd: PositiveDuration
    low: NonNegativeDuration = 0.0
    high: PositiveDuration | None = None

    @model_validator(mode="after")
    def _keeps_enough(self) -> TruncatedNormal:
        if self.high is not None and self.high <= self.low:
            raise ValueError("a truncated normal needs low < high")
        if self._kept() < 1e-3:
            raise ValueError(
                "the bounds keep less than 0.1% of this normal distribution: check mean, sd, "
                f"low and high (mean {format_duration(self.mu)}, sd {format_duration(self.sd)})"
            )
        return self

    def _cdf(self, x: float) -> float:
        return 0.5 * (1 + math.erf((x - self.mu) / (self.sd * math.sqrt(2))))

    def _kept(self) -> float:
        upper = 1.0 if self.high is None else self._cdf(self.high)
        return upper - self._cdf(self.low)

    @property
    def mean(self) -> float:
        a = (self.low - self.mu) / self.sd
        b = math.inf if self.high is None else (self.high - self.mu) / self.sd
        pdf = lambda z: 0.0 if math.isinf(z) else math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
        return self.mu + self.sd * (pdf(a) - pdf(b)) / self._kept()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draws outside the bounds are drawn again (rejection: exact)."""
        high = math.inf if self.high is None else self.high
        out = rng.normal(self.mu, self.sd, n)
        bad = (out < self.low) | (out > high)
        while bad.any():
            out[bad] = rng.normal(self.mu, self.sd, int(bad.sum()))
            bad = (out < self.low) | (out > high)
        return out


class Component(Spec):
    """One part of a mixture: its probability and its distribution."""

    p: Annotated[float, Field(gt=0.0, le=1.0)]
    of: _DistMapping


def _nest(parts: object) -> object:
    """Components are written flat in YAML: ``{p: 0.9, dist: lognormal, mean: ..., sd: ...}``."""
    if not isinstance(parts, list):
        return parts
    return [
        {"p": x.get("p"), "of": {k: v for k, v in x.items() if k != "p"}}
        if isinstance(x, dict) and "of" not in x
        else x
        for x in parts
    ]


class Mixture(_Dist):
    """A draw from one of several distributions, chosen with the given probabilities
    (e.g. most stays short, a few long: a delayed discharge that replaces the stay)."""

    dist: Literal["mixture"]
    components: Annotated[
        list[Component], BeforeValidator(_nest, json_schema_input_type=list[dict])
    ] = Field(min_length=2)

    @model_validator(mode="after")
    def _adds_up(self) -> Mixture:
        total = sum(c.p for c in self.components)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                "a mixture's probabilities must add up to 1, but "
                f"{' + '.join(f'{c.p:g}' for c in self.components)} = {total:g}"
            )
        return self

    @property
    def mean(self) -> float:
        return sum(c.p * c.of.mean for c in self.components)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p = np.array([c.p for c in self.components])
        which = rng.choice(len(self.components), size=n, p=p / p.sum())
        out = np.empty(n)
        for j, c in enumerate(self.components):
            chosen = which == j
            k = int(chosen.sum())
            if k:
                out[chosen] = c.of.sample(rng, k)
        return out


def _shorthand(value: object) -> object:
    """``"95 min"`` means a fixed time; ``{mixture: [...]}`` a mixture of its parts."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    if isinstance(value, dict) and "mixture" in value and "dist" not in value:
        return {"dist": "mixture", "components": value["mixture"],
                **{k: v for k, v in value.items() if k != "mixture"}}  # fmt: skip
    return value


DISTRIBUTIONS: dict[str, type[_Dist]] = {
    "fixed": Fixed,
    "exponential": Exponential,
    "lognormal": Lognormal,
    "gamma": Gamma,
    "triangular": Triangular,
    "uniform": Uniform,
    "empirical": Empirical,
    "truncated_normal": TruncatedNormal,
    "normal": TruncatedNormal,
    "mixture": Mixture,
}

#: The mapping form: one of :data:`DISTRIBUTIONS`, chosen by its ``dist`` key.
_DistMapping = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Triangular | Uniform | Empirical | TruncatedNormal
    | Mixture,
    Field(discriminator="dist"),
    BeforeValidator(lambda v: _shorthand(v) if isinstance(v, dict) else v),
]

#: A time distribution: a mapping such as ``{dist: lognormal, mean: 3 days, sd: 2 days}``,
#: or a single duration (``95 min``) meaning a fixed time.
TimeDist = Annotated[
    _DistMapping,
    BeforeValidator(_shorthand, json_schema_input_type=_DistMapping | NonNegativeDuration),
]

Component.model_rebuild()
Mixture.model_rebuild()
