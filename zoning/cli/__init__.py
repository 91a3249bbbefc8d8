"""The ``zoning`` command: parse options, call one library function, print what it renders.

- :mod:`.main` — the command group, ``validate``, ``classify``, ``demo``, ``rules``
- :mod:`.checks` — the policy-check commands (``check-blocks``, ``block-balance``, …)
- :mod:`._common` — options shared by the commands, table formatting
"""

from zoning.cli.main import main

__all__ = ["main"]
