"""realtime — the live gateway: WebSocket snapshot + replay, fan-out across workers."""
