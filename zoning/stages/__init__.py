"""The pipeline stages, in order; each is a public function usable on its own.

validate → indicators → classify → cluster → zones → reasons → summary; :mod:`.run` chains
them and :mod:`.result` holds the :class:`~zoning.ZoningResult` it returns.
"""
