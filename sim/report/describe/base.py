"""What a feature's module of :mod:`sim.report.describe` may contribute, and where.

The STRESS-DES skeleton (:mod:`sim.report.stress`) asks every feature in turn, in the
order of :data:`sim.report.describe.FEATURES`, and puts the answers in its sections. A
feature module defines only the names it needs (``sc`` is the :class:`Scenario`;
sentences are plain text, escaped by the skeleton; ``html`` is HTML in which the feature
has escaped every piece of scenario text):

=================================  ============================================================
``COVERED``                        scenario fields it puts in words: ``{"": top-level fields,
                                   "policies": policies, "site": fields of a site}``
``AS_WRITTEN``                     fields of its own it lists as written (2.3), not in words
``capacity(sc) -> [str]``          1.1: phrases such as "12 theatre(s) holding 40 sessions"
``flow(sc) -> html``               2.1: its pathway as boxes and arrows
``logic(sc) -> [str]``             2.2: sentences of the base model
``logic_block(sc) -> (str, [str])``  2.2: a titled part of the model (None: nothing to say;
                                   a list of them for several parts)
``algorithms(sc) -> [str]``        2.4
``scenario_logic(sc) -> html``     2.3: how this scenario is set up
``changes(base, other) -> html``   2.3: what a compared scenario changes, in words
``entities(sc) -> [str]``          2.5
``activities(sc) -> html``         2.5
``resources(sc) -> [Part]``        2.5: tables of resources
``queues(sc) -> [str]``            2.5
``preprocessing(sc) -> [str]``     3.2: clauses of one sentence
``parameters(sc) -> [Part]``       3.3: titled tables of input parameters
``assumptions(sc) -> [Part]``      3.4: one sentence each
``initialisation(sc) -> [str]``    4.1: clauses of one sentence
=================================  ============================================================

Where several features fill one list of tables or sentences, each :class:`Part` says its
place in it, so a reader meets them in a sensible order whatever the features' order.
"""

from __future__ import annotations

from typing import NamedTuple


class Part(NamedTuple):
    """One table or sentence of a section that several features fill."""

    place: int
    """Lower first; the skeleton's own parts use the same scale (multiples of 10)."""
    html: str
