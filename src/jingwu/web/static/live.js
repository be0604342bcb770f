// The live feed: /ws/live gives a snapshot, then events; after a drop we reconnect with the id of
// the last event handled and the server replays what we missed (nothing is lost, nothing polled).
export function connectLive({ onSnapshot, onEvent, onState = () => {} }) {
  let lastEventId = null;
  let socket = null;
  let backoff = 500;
  let pinger = null;
  let closed = false;

  function open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = lastEventId === null ? "" : `?last_event_id=${lastEventId}`;
    socket = new WebSocket(`${scheme}://${location.host}/ws/live${query}`);
    onState("connecting");
    socket.onopen = () => {
      backoff = 500;
      onState("live");
      clearInterval(pinger);
      pinger = setInterval(() => socket.readyState === 1 && socket.send('{"kind":"ping"}'), 20000);
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.kind === "snapshot") {
        lastEventId = frame.cursor;
        onSnapshot(frame);
      } else if (frame.kind === "event") {
        if (lastEventId !== null && frame.id <= lastEventId) return;
        lastEventId = frame.id;
        onEvent(frame);
      }
    };
    socket.onclose = (event) => {
      clearInterval(pinger);
      if (closed) return;
      onState(event.code === 4401 ? "login" : "offline");
      if (event.code === 4401) return;
      setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  open();
  return {
    get lastEventId() { return lastEventId; },
    close() { closed = true; socket?.close(); },
  };
}

// Many events, one refresh: coalesce bursts into one call per `ms`.
export function debounce(fn, ms = 150) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
