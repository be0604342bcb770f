"""places — the jurisdiction: communities, beats, standard addresses, key sites, cameras, roads."""
