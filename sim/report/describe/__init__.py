"""What each feature adds to the model description, one module per feature.

The STRESS-DES skeleton (:mod:`sim.report.stress`) asks every module of :data:`FEATURES`,
in this order, for the sentences and tables of its sections; :mod:`.base` lists what a
module may contribute. A new feature adds its module here and its sentences in it.
"""

from . import (
    calendar,
    critical_care,
    elective,
    emergencies,
    equity,
    mutual_aid,
    networks,
    nursing,
    staff,
    wards,
)

#: The feature modules, in the order the description tells them.
FEATURES = (
    elective,
    wards,
    emergencies,
    critical_care,
    nursing,
    mutual_aid,
    staff,
    equity,
    calendar,
    networks,
)
