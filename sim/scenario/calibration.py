"""Calibration targets: the published figures (marked [V] in the domain facts) a scenario's
KPIs are checked against, each defined as its source defines it, and the ``calibration:``
block in which a scenario says why a KPI may fall outside its range.

The figures are data about the NHS, not about a scenario; :mod:`sim.validation.calibration`
runs the scenarios and builds the table (``hubsim calibrate``, docs/calibration.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from .base import Spec

TargetId = Literal[
    "nonclinical_cancellations",
    "ga_occupancy",
    "cc_occupancy",
    "cc_nonclinical_transfers",
    "hub_uplift",
    "deprivation_gap_52_weeks",
    "share_under_18_weeks",
]


@dataclass(frozen=True)
class Target:
    """One published figure and the KPI that is measured as its source measures it."""

    id: str
    label: str
    kpi: str
    """The KPI compared (a registry name; ``hub_uplift`` is a paired comparison)."""
    scope: Literal["network", "acute sites"]
    """Where it is read: the whole collaborative, or each site with emergency admissions."""
    low: float
    high: float
    """The range a KPI must fall in, in the KPI's unit."""
    definition: str
    source: str
    checked: bool = True
    """False for a reference figure ([D] in the domain facts: one trust, not a national
    range): shown beside the KPI, never a reason to refuse a scenario."""


TARGETS: tuple[Target, ...] = (
    Target(
        "nonclinical_cancellations", "Non-clinical last-minute cancellations",
        "nonclinical_cancellation_pct", "network", 0.8, 1.1,
        "on-the-day cancellations for non-clinical reasons per 100 elective admissions (%)",
        "NHS England / DH last-minute cancellation statistics 2012, 2014, 2016: 0.8-1.1% of "
        "elective activity",
    ),
    Target(
        "cancellation_cause_no_bed", "Cause mix: share of on-the-day cancellations for no bed",
        "no_bed_cancellation_share_pct", "network", 21.8, 21.8,
        "on-the-day cancellations for want of a ward bed per 100 on-the-day cancellations of "
        "any cause (%); a reference, not a range: one trust's mix",
        "one trust: patient unfit 33.7%, no bed 21.8%, no theatre time 17.3%, did not attend "
        "6.9% (Dimitriadis et al., Int J Surg 2013) [D]",
        checked=False,
    ),
    Target(
        "ga_occupancy", "General and acute bed occupancy (midnight)",
        "bed_occupancy_midnight", "acute sites", 0.85, 0.936,
        "ward beds occupied by a patient at midnight over beds available (KH03), at each site "
        "with emergency admissions",
        "85% benchmark (Bagust et al. 1999); 90.7% end-2017 (Health Foundation 2018); 92.3% "
        "(adult 93.6%) Feb 2022 (NHS Confederation)",
    ),
    Target(
        "cc_occupancy", "Adult critical care occupancy",
        "cc_occupancy_patients", "network", 0.753, 0.841,
        "time-average share of critical care beds holding a patient (sitrep), all units",
        "75.3% Feb 2022 (NHS Confederation); ~82% 2019-20 (CQC); 84.1% Apr 2012 (DH sitrep)",
    ),
    Target(
        "cc_nonclinical_transfers", "Non-clinical critical care transfers",
        "cc_nonclinical_transfer_pct", "network", 0.125, 0.5,
        "patients who went to another unit for want of a bed at their own (transferred, or "
        "refused: sent out of the network) per 100 critical care patients (%); "
        "the range is the national 0.25% within a factor of two (one network is not the "
        "national mean: an assumption of this table)",
        "759 of 308,323 admissions, 198 units, 2008-11 (Barratt et al., Crit Care 2012)",
    ),
    Target(
        "hub_uplift", "Hub uplift in elective operations, year one",
        "operations_first_year", "network", 11.7, 32.2,
        "operations in the first 52 weeks after the warm-up, this scenario over its status quo "
        "(calibration.baseline) on the same seeds, minus 1 (%); the range is the published "
        "95% interval",
        "new hubs: +21.9% high-volume low-complexity surgery in year one, 95% CI 11.7-32.2 "
        "(Co et al., Nature Comms 2025)",
    ),
    Target(
        "deprivation_gap_52_weeks", "Deprivation gap in waits over 52 weeks",
        "over_52_weeks_ratio_q1_q5", "network", 1.8, 2.0,
        "share of the most deprived fifth waiting over 52 weeks over the least deprived "
        "fifth's (ratio)",
        "7.29% vs 4.02% = 1.8x (King's Fund 2021); 2x in 2022 data (King's Fund 2023)",
    ),
    Target(
        "share_under_18_weeks", "Share waiting under 18 weeks",
        "pct_within_18_weeks", "network", 58.9, 61.8,
        "patients waiting at the end who have waited under 18 weeks (%), England's "
        "incomplete pathways",
        "58.9% Jan 2025, 61.8% Sep 2025 (parallelparliament.co.uk/question/89686)",
    ),
)  # fmt: skip

TARGET_BY_ID = {t.id: t for t in TARGETS}


class Calibration(Spec):
    """How the scenario stands against published figures (``hubsim calibrate``,
    docs/calibration.md): the status quo it changes, and why a KPI may fall outside the
    range of a published figure."""

    baseline: str | None = None
    """The status quo scenario this one changes (a file, relative to this one), e.g.
    ``black_country_ortho.yaml``: the hub uplift is measured against it."""
    reasons: dict[TargetId, str] = Field(default_factory=dict)
    """Why a KPI may fall outside its published range, by calibration target, e.g.
    ``{nonclinical_cancellations: "a bed-starved trust: ..."}``."""
