"""The engine: routes between systems, the conversion pipeline and its input/output."""
