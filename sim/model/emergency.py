"""Emergency admissions: the pressure on general beds that cancels elective operations.

Admissions arrive as a Poisson process whose rate follows the weekday and month
profile of the scenario. Each needs a general bed for its length of stay (plus any
delayed discharge). With none free the patient either waits in the emergency
department for the next general bed (``queue``; an M/G/c queue, Erlang C when stays
are exponential) or is taken to another hospital (``divert``; an Erlang loss system).
"""

from __future__ import annotations

import simpy

from ..scenario.schema import CriticalCareUnit, Emergency
from . import records as rec
from .beds import BedPool, WardBeds
from .calendar import Arrivals, Calendar
from .critical_care import CriticalCareNetwork
from .records import ConservationError
from .streams import Streams


class EmergencyDemand:
    """Emergency admissions to one site."""

    def __init__(
        self,
        env: simpy.Environment,
        site: str,
        spec: Emergency,
        beds: WardBeds,
        calendar: Calendar,
        streams: Streams,
        recorder: rec.Recorder,
        critical_care: CriticalCareUnit | None = None,
        network: CriticalCareNetwork | None = None,
    ):
        self.env = env
        self.site = site
        self.beds = beds
        self.recorder = recorder
        self.divert = spec.when_full == "divert"
        self.rates = calendar.daily_rates(
            spec.admissions_per_day, spec.weekday_profile, spec.monthly_profile
        )
        key = f"emergency/{site}"
        self._exp1 = streams.exponentials(f"{key}/arrivals")
        self._los = streams.sampler(f"{key}/los", spec.length_of_stay)
        delay = spec.delayed_discharge
        self._delay_p = 0.0 if delay is None else delay.probability
        self._u_delay = streams.uniforms(f"{key}/delay")
        self._delay = None if delay is None else streams.sampler(f"{key}/delay_extra", delay.extra)
        self.network = network
        self._cc_p = 0.0 if critical_care is None else critical_care.from_emergency_probability
        self._det_p = 0.0 if critical_care is None else critical_care.deterioration_probability
        self._u_cc = streams.uniforms(f"{key}/critical_care")
        self._u_det = streams.uniforms(f"{key}/deterioration")
        self._u_det_at = streams.uniforms(f"{key}/deterioration_time")
        self.to_critical_care = 0
        self.arrived = 0
        self.admitted = 0
        self.diverted = 0
        self.discharged = 0
        self._next_id = 0

    def start(self) -> None:
        """Start the stream of emergency admissions."""
        Arrivals(self.env, self.rates, self._exp1, self._arrived)

    def _arrived(self, _t: float) -> None:
        self.arrive()

    def _stay(self) -> float:
        los = self._los()
        if self._delay is not None:
            extra = self._delay()
            if self._u_delay() < self._delay_p:
                los += extra
        return los

    def arrive(self) -> None:
        now = self.env.now
        count = self.recorder.count
        site = self.site
        self.arrived += 1
        self._next_id -= 1
        eid = self._next_id  # emergency patients get negative ids in the event log
        count[("emergency_arrivals", site)] += 1
        self.recorder.log(now, rec.EMERGENCY_ARRIVED, eid, site)
        los = self._stay()
        # A stream is drawn only if some value of it could matter: with a probability of
        # 0 none can (and each stream serves one purpose, so no other draw shifts).
        needs_cc = self._cc_p > 0 and self._u_cc() < self._cc_p
        if self._det_p > 0:
            if self._u_det() < self._det_p:  # deteriorates part-way through the ward stay
                los = -los * self._u_det_at()  # negative: leaves the ward for critical care
            else:
                self._u_det_at()
        if needs_cc:
            self.to_critical_care += 1
            count[("emergency_to_critical_care", site)] += 1
            self.network.unplanned(site)
            return
        pool = self.beds.admit_emergency()
        if pool is not None:
            self._admit(eid, pool, los, 0.0)
        elif self.divert:
            self.diverted += 1
            count[("emergency_diverted", site)] += 1
            self.recorder.log(now, rec.EMERGENCY_DIVERTED, eid, site)
        else:
            self.beds.wait_for_bed(lambda pool: self._admit(eid, pool, los, self.env.now - now))

    def _admit(self, eid: int, pool: BedPool, los: float, waited: float) -> None:
        count = self.recorder.count
        site = self.site
        self.admitted += 1
        count[("emergency_admissions", site)] += 1
        count[("emergency_wait_days", site)] += waited
        if waited > 0:
            count[("emergency_waited", site)] += 1
        count[("emergency_bed_days", site)] += abs(los)
        self.recorder.log(self.env.now, rec.EMERGENCY_ADMITTED, eid, site, pool.name)
        deteriorates = los < 0
        self.env.timeout(abs(los)).callbacks.append(lambda _e: self._discharge(pool, deteriorates))

    def _discharge(self, pool: BedPool, to_critical_care: bool = False) -> None:
        self.discharged += 1
        self.beds.discharge(pool)
        if to_critical_care:
            self.recorder.count[("ward_deteriorations", self.site)] += 1
            self.network.unplanned(self.site)

    def check_conservation(self) -> None:
        waiting = len(self.beds.emergency_queue)
        in_bed = self.admitted - self.discharged
        accounted = self.admitted + self.diverted + waiting + self.to_critical_care
        if self.arrived != accounted or in_bed < 0:
            raise ConservationError(
                f"emergency patients at {self.site} do not add up: arrived {self.arrived} != "
                f"admitted {self.admitted} + diverted {self.diverted} + waiting {waiting} + "
                f"straight to critical care {self.to_critical_care}"
            )
