"""fire — the fire-rescue squad (雷锋班)."""
