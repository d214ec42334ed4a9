"""Exact queueing results that the simulation is verified against.

- Erlang B: the chance an arrival finds all ``c`` beds busy in a loss system (M/G/c/c),
  whatever the length-of-stay distribution (insensitivity).
- Erlang C: the chance an arrival must wait in an M/M/c queue, and the mean wait.
- The truncated Poisson: the occupancy distribution of an M/G/c/c loss system.
- NHSRwaitinglist rules of thumb for waiting lists (Fong et al. 2022).

``load`` is offered load in Erlangs: arrival rate x mean length of stay.
"""

from __future__ import annotations

import math

import numpy as np


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an Erlang loss system with ``servers`` and offered ``load``."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    b = 1.0
    for k in range(1, servers + 1):  # stable recursion B(k) = a B(k-1) / (k + a B(k-1))
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in an M/M/c queue (needs ``load < servers``)."""
    if load >= servers:
        raise ValueError(
            f"an M/M/c queue with load {load} >= {servers} servers has no steady state"
        )
    b = erlang_b(servers, load)
    rho = load / servers
    return b / (1 - rho * (1 - b))


def mmc_mean_wait(arrival_rate: float, mean_service: float, servers: int) -> float:
    """Mean time in queue (before service) of an M/M/c system, in the units of ``mean_service``."""
    load = arrival_rate * mean_service
    return erlang_c(servers, load) * mean_service / (servers - load)


def truncated_poisson(servers: int, load: float) -> np.ndarray:
    """P(k beds occupied), k = 0..servers, of an Erlang loss system."""
    k = np.arange(servers + 1)
    logp = k * math.log(load) - np.array([math.lgamma(i + 1) for i in k]) if load > 0 else None
    if logp is None:
        out = np.zeros(servers + 1)
        out[0] = 1.0
        return out
    p = np.exp(logp - logp.max())
    return p / p.sum()


def waiting_list_load(demand: float, capacity: float) -> float:
    """Demand / capacity: above 1 the list grows (NHSRwaitinglist)."""
    return demand / capacity


def target_mean_wait(target: float, factor: float = 4.0) -> float:
    """Mean wait that keeps breaches of ``target`` near exp(-factor) (NHSRwaitinglist)."""
    return target / factor


def target_queue_size(demand: float, target: float, factor: float = 4.0) -> float:
    """List size consistent with the target mean wait, by Little's law (NHSRwaitinglist)."""
    return demand * target / factor


def relief_capacity(
    demand: float, queue: float, target_queue: float, time_to_target: float
) -> float:
    """Capacity needed to bring the list to its target size in ``time_to_target``."""
    return demand + (queue - target_queue) / time_to_target


def waiting_list_pressure(mean_wait: float, target: float) -> float:
    """2 x mean wait / target: above 1 the target will likely be missed (NHSRwaitinglist)."""
    return 2 * mean_wait / target
