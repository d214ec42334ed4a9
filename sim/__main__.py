"""``python -m sim`` is the ``hubsim`` command."""

from .cli import main

main()
