// The live feed: /ws/live gives a snapshot, then events; after a drop we reconnect with the id of
// the last event handled and the server replays what we missed (nothing is lost, nothing polled).
// Where WebSocket never gets through (a proxy that blocks it), the same feed comes as
// server-sent events from /api/live/events, whose EventSource resumes with Last-Event-ID itself.
export function connectLive({ onSnapshot, onEvent, onState = () => {} }) {
  let lastEventId = null;
  let socket = null;
  let source = null;
  let backoff = 500;
  let pinger = null;
  let closed = false;
  let failedOpens = 0;
  // ids mostly rise but may arrive out of order (PostgreSQL commits), and a replay repeats the
  // last few: drop duplicates by id, resume from the highest id seen
  const seen = new Set();
  const order = [];

  function handle(frame) {
    if (frame.kind === "snapshot") {
      lastEventId = frame.cursor;
      onSnapshot(frame);
    } else if (frame.kind === "event") {
      if (seen.has(frame.id)) return;
      seen.add(frame.id);
      order.push(frame.id);
      if (order.length > 4096) seen.delete(order.shift());
      lastEventId = Math.max(lastEventId ?? 0, frame.id);
      onEvent(frame);
    }
  }

  function openSse() {
    const query = lastEventId === null ? "" : `?last_event_id=${lastEventId}`;
    source = new EventSource(`/api/live/events${query}`);
    onState("connecting");
    source.onopen = () => onState("live");
    source.addEventListener("snapshot", (message) => handle(JSON.parse(message.data)));
    source.onmessage = (message) => handle(JSON.parse(message.data));
    source.onerror = () => onState(source.readyState === EventSource.CLOSED ? "offline" : "connecting");
  }

  function open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = lastEventId === null ? "" : `?last_event_id=${lastEventId}`;
    let opened = false;
    socket = new WebSocket(`${scheme}://${location.host}/ws/live${query}`);
    onState("connecting");
    socket.onopen = () => {
      opened = true;
      failedOpens = 0;
      backoff = 500;
      onState("live");
      clearInterval(pinger);
      pinger = setInterval(() => socket.readyState === 1 && socket.send('{"kind":"ping"}'), 20000);
    };
    socket.onmessage = (message) => handle(JSON.parse(message.data));
    socket.onclose = (event) => {
      clearInterval(pinger);
      if (closed) return;
      if (event.code === 4401) { onState("login"); return; }
      onState("offline");
      if (!opened && ++failedOpens >= 3) { openSse(); return; }
      setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  open();
  return {
    get lastEventId() { return lastEventId; },
    get transport() { return source ? "sse" : "websocket"; },
    close() { closed = true; socket?.close(); source?.close(); },
  };
}

// Many events, one refresh: coalesce bursts into one call per `ms`.
export function debounce(fn, ms = 150) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
