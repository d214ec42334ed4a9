"""Mutual aid in words. Not put in sentences yet: its schemes are listed as written (2.3)."""

AS_WRITTEN = {"policies": {"mutual_aid"}}
