"""cases — the case handling team (案件办理队)."""
