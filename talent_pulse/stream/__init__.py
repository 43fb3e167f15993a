"""The streaming job's transformations (pure DataFrame -> DataFrame) and sinks (I/O)."""
