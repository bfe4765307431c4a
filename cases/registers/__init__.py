"""Public registers Puljeflow reads from, each behind an adapter: the CVR register."""
