"""sim — the Leifeng scenario and the simulated station that plays it through the public API."""
