"""Use cases: each module owns its transactions and writes its audit events."""
