// Replay a past day: units move along their recorded fixes, incidents appear when called in.
import { api } from "./api.js";
import { PRIORITY_COLOURS, makeMap } from "./map-layers.js";

const { layers } = await makeMap(document.getElementById("replay-map"));
const seek = document.getElementById("replay-seek");
const clock = document.getElementById("replay-clock");
let data = null;
let playing = false;
let t = 0;
let last = null;

function positionAt(fixes, second) {
  if (!fixes.length || second < fixes[0][0]) return null;
  let lo = 0, hi = fixes.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (fixes[mid][0] <= second) lo = mid; else hi = mid - 1; }
  const a = fixes[lo], b = fixes[Math.min(lo + 1, fixes.length - 1)];
  if (b[0] === a[0]) return [a[1], a[2]];
  const share = Math.min(1, (second - a[0]) / (b[0] - a[0]));
  return [a[1] + (b[1] - a[1]) * share, a[2] + (b[2] - a[2]) * share];
}

function draw() {
  if (!data) return;
  layers.units.clearLayers();
  layers.incidents.clearLayers();
  for (const track of data.tracks) {
    const at = positionAt(track.fixes, t);
    if (!at) continue;
    L.circleMarker(at, { radius: 7, color: "#0f172a", weight: 1, fillColor: "#22c55e", fillOpacity: 0.95 })
      .bindTooltip(track.call_sign).addTo(layers.units);
  }
  let open = 0;
  for (const i of data.incidents) {
    if (i.reported_s > t) continue;
    const done = i.closed_s !== null && i.closed_s <= t;
    if (!done) open += 1;
    L.circleMarker([i.lat, i.lon], {
      radius: done ? 4 : 8, color: PRIORITY_COLOURS[i.priority], weight: 2, fillOpacity: done ? 0.15 : 0.7,
    }).bindTooltip(`${i.number} ${i.category_label} · ${i.address_text}`).addTo(layers.incidents);
  }
  const h = String(Math.floor(t / 3600)).padStart(2, "0");
  const m = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
  clock.textContent = `${h}:${m} · 在办 ${open}`;
  seek.value = String(Math.round(t));
}

async function load() {
  const day = document.getElementById("replay-day").value;
  data = await api(`/api/replay?day=${day}`);
  document.getElementById("replay-summary").textContent =
    `${data.incidents.length} 起警情 · ${data.tracks.length} 个单元轨迹`;
  t = 0;
  draw();
}

function frame(now) {
  if (playing && last !== null) {
    t = Math.min(86400, t + ((now - last) / 1000) * Number(document.getElementById("replay-speed").value));
    draw();
    if (t >= 86400) playing = false;
  }
  last = now;
  requestAnimationFrame(frame);
}

document.getElementById("replay-day").addEventListener("change", load);
document.getElementById("replay-play").addEventListener("click", () => { playing = true; });
document.getElementById("replay-pause").addEventListener("click", () => { playing = false; });
seek.addEventListener("input", () => { t = Number(seek.value); draw(); });
await load();
requestAnimationFrame(frame);
