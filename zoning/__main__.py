"""``python -m zoning`` runs the ``zoning`` command."""

from zoning.cli.main import main

main()
