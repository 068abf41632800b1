"""alphamed_serve."""
