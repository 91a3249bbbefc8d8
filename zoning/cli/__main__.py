"""``python -m zoning.cli`` runs the ``zoning`` command."""

from zoning.cli.main import main

main()
