"""Shared staff pools in words. Not put in sentences yet: the groups and what each session
needs are listed as written (2.3)."""

AS_WRITTEN = {"": {"staff"}}
