"""community — the community policing team (社区警务队) and partners (吹哨报到)."""
