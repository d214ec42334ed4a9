"""Random number streams: one per purpose, so scenarios compared on a seed see the same patients.

An experiment has one ``numpy.random.SeedSequence`` (its seed). Replication ``r`` uses
the child with spawn key ``(r,)`` and, under it, every named stream (``referrals/dudley/
hip``, ``emergency/walsall/los`` ...) the grandchild with spawn key ``(r, id(name))``,
where ``id`` is a fixed hash of the name. A stream therefore depends only on the seed,
the replication and its own name: adding a site, a procedure or a new kind of draw never
shifts the numbers any other stream produces (common random numbers), and results do
not depend on which worker ran the replication.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable

import numpy as np

BLOCK = 512

Sampler = Callable[[], float]
"""Draws from one stream: each call returns the next value."""


def stream_id(name: str) -> int:
    """A stable 32-bit id for a stream name (the same in every Python process)."""
    return zlib.crc32(name.encode("utf-8"))


def replication_seed(seed: int, rep: int) -> np.random.SeedSequence:
    """The seed sequence of replication ``rep`` of an experiment seeded with ``seed``.

    Identical to ``SeedSequence(seed).spawn(rep + 1)[rep]``.
    """
    return np.random.SeedSequence(seed, spawn_key=(rep,))


class Streams:
    """Hands out independent generators by name for one replication."""

    def __init__(self, seed: int, rep: int):
        self.seed = seed
        self.rep = rep

    def generator(self, name: str) -> np.random.Generator:
        ss = np.random.SeedSequence(self.seed, spawn_key=(self.rep, stream_id(name)))
        return np.random.Generator(np.random.PCG64(ss))

    def sampler(self, name: str, dist) -> Sampler:
        """Draws of ``dist`` (anything with ``sample(rng, n)``) from stream ``name``."""
        return _draws(dist, self.generator(name))

    def uniforms(self, name: str) -> Sampler:
        return _draws(_UNIT, self.generator(name))

    def exponentials(self, name: str) -> Sampler:
        """Unit-mean exponential draws (for arrival processes with a varying rate)."""
        return _draws(_EXP1, self.generator(name))


class _Unit:
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.random(n)


class _Exp1:
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.standard_exponential(n)


_UNIT = _Unit()
_EXP1 = _Exp1()


def _draws(dist, rng: np.random.Generator) -> Sampler:
    """Values of ``dist`` one at a time, from blocks of ``BLOCK`` pre-drawn values.

    The sequence of values is fixed by the generator alone, however the draws are
    interleaved with other streams. The model makes several draws per event, so the
    draw function is ``__next__`` of a chain of blocks: it runs in C, at about a quarter
    of the cost of a Python ``__call__`` that indexes a buffer.
    """
    blocks = iter(lambda: dist.sample(rng, BLOCK).tolist(), None)  # endless: never None
    return itertools.chain.from_iterable(blocks).__next__
