"""Pictures of runs: space-time diagrams and attention maps, drawn with matplotlib (no display needed)."""
