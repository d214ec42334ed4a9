"""Equity in words. The deprivation-aware booking orders are told with the booking order
(:func:`.elective.booking_order_text`); escalation rules are listed as written (2.3)."""

AS_WRITTEN = {"policies": {"escalation"}}
