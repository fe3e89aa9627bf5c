"""labkit: the course's small toolkit (filled in as modules land)."""
