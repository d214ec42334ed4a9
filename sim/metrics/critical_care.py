"""KPIs of critical care: admissions, occupancy, refusals, transfers and their times."""

from __future__ import annotations

from ..model.critical_care import CriticalCareTally
from ..model.elective import ElectiveTally
from ..model.ledger import Cause
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "critical_care"


def _cc(s: Scope) -> CriticalCareTally:
    return s.of(CriticalCareTally)


KPIS.add(
    KPI("cc_admissions", "patients", "Critical care admissions",
        "patients admitted to critical care (transfers counted where they arrive)",
        None, FEATURE, "unit", lambda s: _cc(s).cc_admissions),
    KPI("cc_elective_admissions", "patients", "Planned post-operative admissions",
        "planned post-operative admissions", None, FEATURE, "unit",
        lambda s: _cc(s).cc_elective_admissions),
    KPI("cc_occupancy", "fraction", "Critical care occupancy",
        "time-average share of critical care beds occupied, turnaround included",
        None, FEATURE, "unit",
        lambda s: ratio(_cc(s).beds.bed_days, _cc(s).beds.capacity_days), headline=13),
    KPI("cc_unplanned_arrivals", "patients", "Unplanned critical care patients",
        "unplanned patients needing a critical care bed", None, FEATURE, "home",
        lambda s: _cc(s).cc_unplanned_arrivals),
    KPI("cc_refusals", "patients", "Critical care refusals",
        "unplanned patients refused: lost to the network", "lower", FEATURE, "home",
        lambda s: _cc(s).cc_refusals, headline=17),
    KPI("cc_refusal_pct", "%", "Share of unplanned patients refused",
        "share of unplanned patients refused", "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).cc_refusals, _cc(s).cc_unplanned_arrivals, 100), headline=14),
    KPI("cc_transfers_out", "patients", "Transfers for want of a bed",
        "unplanned patients transferred to another unit for want of a bed",
        "lower", FEATURE, "home", lambda s: _cc(s).cc_transfers_out, headline=15),
    KPI("cc_transfer_pct", "%", "Share of unplanned patients transferred",
        "share of unplanned patients transferred out", "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).cc_transfers_out, _cc(s).cc_unplanned_arrivals, 100)),
    KPI("cc_transfer_hours", "hours", "Transfer time",
        "mean time from the transfer decision to arrival (waiting for a team + travel)",
        "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).cc_transfer_days, _cc(s).cc_transfers_out, 24), headline=18),
    KPI("cc_repatriations", "patients", "Repatriations",
        "transferred patients brought back to their own unit", None, FEATURE, "unit",
        lambda s: _cc(s).cc_repatriations),
    KPI("cc_unplanned_wait_hours", "hours", "Wait for a critical care bed",
        "mean wait for a bed at their own unit of unplanned patients admitted",
        "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).cc_unplanned_wait_days, _cc(s).cc_unplanned_admitted, 24)),
    KPI("cancellations_no_cc_bed", "operations", "Cancelled on the day: no critical care bed",
        "operations cancelled on the day: no critical care bed", "lower", FEATURE, "treating",
        lambda s: s.of(ElectiveTally).cancellations[Cause.NO_CC_BED], headline=16),
    KPI("cc_booking_deferrals", "patients", "Left off a list: no critical care bed",
        "patients left off a list when it was finalised: no critical care bed free",
        "lower", FEATURE, "treating", lambda s: _cc(s).cc_booking_deferrals),
)  # fmt: skip
