"""KPIs of mutual aid: offers, moves and the extra travel of those who moved."""

from __future__ import annotations

from ..model.mutual_aid import MutualAidTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "mutual_aid"


def _ma(s: Scope) -> MutualAidTally:
    return s.of(MutualAidTally)


KPIS.add(
    KPI("mutual_aid_offers", "patients", "Offered treatment elsewhere",
        "patients offered treatment at another site", None, FEATURE, "home",
        lambda s: _ma(s).mutual_aid_offers),
    KPI("mutual_aid_transfers", "patients", "Moved to another site's list",
        "patients who accepted and moved to another site's list", None, FEATURE, "home",
        lambda s: _ma(s).mutual_aid_transfers),
    KPI("mean_extra_travel_km", "km", "Extra travel of those who moved",
        "mean extra road distance for patients who moved (vs their own site)",
        "lower", FEATURE, "home",
        lambda s: ratio(_ma(s).mutual_aid_extra_km, _ma(s).mutual_aid_transfers)),
)  # fmt: skip
