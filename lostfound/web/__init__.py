"""HTTP layer: controllers parse, call a service and render; nothing more."""
