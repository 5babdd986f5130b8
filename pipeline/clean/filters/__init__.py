"""Quality filters: one rule a module, each a pure `(record, params) -> Rejection | None`."""
