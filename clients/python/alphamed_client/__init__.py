"""alphamed_client."""
