"""The installed hubsim version, for provenance (a leaf: imports nothing of hubsim)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hubsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
