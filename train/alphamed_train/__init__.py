"""alphamed_train."""
