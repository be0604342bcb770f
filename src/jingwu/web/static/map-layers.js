// The one map (一图显): drawn from the station's own roads and boundaries, so it works with no
// internet; a tile server on the station's network may be added by setting (JINGWU_TILE_URL), with
// every point shifted to GCJ-02 when that server draws in it (JINGWU_TILE_GCJ02).
import { api, duration, el } from "./api.js";

export const STATUS_COLOURS = {
  available: "#16a34a", dispatched: "#2563eb", en_route: "#9333ea", on_scene: "#dc2626", off_duty: "#6b7280",
};
export const PRIORITY_COLOURS = { 1: "#dc2626", 2: "#f97316", 3: "#eab308", 4: "#3b82f6" };
const SITE_COLOURS = { normal: "#22c55e", attention: "#f59e0b", alert: "#ef4444" };
const STALE_AFTER_S = 120;

// --- WGS-84 → GCJ-02, the published transform (only at the edge, for Chinese tile servers) -------
let shiftToGcj = false;
function outsideChina(lat, lon) { return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271); }
function gcjDelta(lat, lon) {
  const a = 6378245.0, ee = 0.00669342162296594323, x = lon - 105.0, y = lat - 35.0, PI = Math.PI;
  let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dLat += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
  dLat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
  dLat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
  let dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLon += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
  dLon += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
  dLon += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
  const rad = lat / 180.0 * PI, magic = 1 - ee * Math.sin(rad) ** 2, sqrtMagic = Math.sqrt(magic);
  return [(dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * PI), (dLon * 180.0) / (a / sqrtMagic * Math.cos(rad) * PI)];
}
/** A stored (WGS-84) point as the map draws it. */
export function P(lat, lon) {
  if (!shiftToGcj || outsideChina(lat, lon)) return [lat, lon];
  const [dLat, dLon] = gcjDelta(lat, lon);
  return [lat + dLat, lon + dLon];
}
/** A point the user clicked, back to WGS-84 (one fixed-point step is within a metre). */
export function unP(latlng) {
  if (!shiftToGcj) return [latlng.lat, latlng.lng];
  const [dLat, dLon] = gcjDelta(latlng.lat, latlng.lng);
  return [latlng.lat - dLat, latlng.lng - dLon];
}

export async function makeMap(container) {
  const map = L.map(container, { zoomControl: true, preferCanvas: true, attributionControl: false });
  const host = container.closest("[data-tile-url]");
  shiftToGcj = host?.dataset.tileGcj02 === "1";
  if (host?.dataset.tileUrl) L.tileLayer(host.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  const layers = {
    communities: L.layerGroup().addTo(map),
    roads: L.layerGroup().addTo(map),
    keySites: L.layerGroup().addTo(map),
    cameras: L.layerGroup().addTo(map),
    views: L.layerGroup().addTo(map),
    route: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map),
    units: L.layerGroup().addTo(map),
  };
  L.control.layers(null, {
    "社区/警务区": layers.communities, "道路": layers.roads, "重点部位": layers.keySites,
    "视频": layers.cameras, "警情": layers.incidents, "警力": layers.units,
  }, { collapsed: true }).addTo(map);
  const [geo, roads] = await Promise.all([
    api("/api/places/jurisdiction.geojson"),
    api("/api/places/roads/geojson").catch(() => null),
  ]);
  if (roads) {
    for (const f of roads.features) {
      const line = f.geometry.coordinates.map(([lon, lat]) => P(lat, lon));
      const major = ["primary", "trunk", "secondary", "motorway"].includes(f.properties.class);
      const colour = f.properties.closed ? "#ef4444" : major ? "#94a3b8" : "#475569";
      L.polyline(line, { color: colour, weight: major ? 3 : 1.5, opacity: 0.8, interactive: false }).addTo(layers.roads);
    }
  }
  const beatColours = ["#0ea5e9", "#f59e0b", "#10b981", "#a855f7"];
  const polygons = L.geoJSON(geo, {
    filter: (f) => f.properties.layer === "community",
    coordsToLatLng: (c) => L.latLng(...P(c[1], c[0])),
    style: (f) => ({ color: beatColours[(f.properties.beat_id ?? 0) % beatColours.length], weight: 2, fillOpacity: 0.06 }),
    onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.name}（${f.properties.beat_name ?? "未划警务区"}）`),
  }).addTo(layers.communities);
  const cameras = [];
  for (const f of geo.features) {
    const [lon, lat] = f.geometry.coordinates;
    if (f.properties.layer === "camera") {
      cameras.push({ ...f.properties, lat, lon });
      L.circleMarker(P(lat, lon), { radius: 3, color: "#94a3b8", weight: 1 }).bindTooltip(`📷 ${f.properties.name}`).addTo(layers.cameras);
    }
  }
  if (polygons.getBounds().isValid()) map.fitBounds(polygons.getBounds(), { padding: [10, 10] });
  else map.setView(P(28.23, 112.86), 13);
  return { map, layers, cameras };
}

// --- units: one marker each, moved in place as fixes arrive ---------------------------------------
const unitMarkers = new Map();

function unitIcon(unit) {
  const stale = unit.stale || (unit.last_fix_at && (Date.now() - new Date(unit.last_fix_at)) / 1000 > STALE_AFTER_S);
  const colour = stale ? "#6b7280" : STATUS_COLOURS[unit.status] ?? "#6b7280";
  const heading = unit.heading ?? null;
  const arrow = heading === null ? "" : `<i class="hd" style="transform:rotate(${heading}deg)">▲</i>`;
  return L.divIcon({
    className: `unit-icon${stale ? " stale" : ""}`,
    html: `<span style="background:${colour}">${arrow}</span><b>${unit.call_sign}</b>`,
    iconSize: [18, 18], iconAnchor: [9, 9],
  });
}

function unitTooltip(unit) {
  const crew = (unit.crew ?? []).map((c) => c.display_name).join("、") || "—";
  const age = unit.last_fix_at ? `${duration((Date.now() - new Date(unit.last_fix_at)) / 1000)} 前定位` : "无定位";
  return `${unit.call_sign} · ${unit.status_label ?? unit.status} · ${crew} · ${age}`;
}

export function drawUnit(layer, unit, onClick) {
  if (unit.lat === null || unit.lon === null || unit.lat === undefined) return;
  let marker = unitMarkers.get(unit.id);
  if (!marker) {
    marker = L.marker(P(unit.lat, unit.lon), { icon: unitIcon(unit), keyboard: false });
    if (onClick) marker.on("click", () => onClick(unit));
    marker.addTo(layer);
    unitMarkers.set(unit.id, marker);
  } else {
    marker.setLatLng(P(unit.lat, unit.lon));
    marker.setIcon(unitIcon(unit));
  }
  marker.unit = unit;
  marker.bindTooltip(unitTooltip(unit));
}

export function drawUnits(layer, units, onClick) {
  const ids = new Set(units.map((u) => u.id));
  for (const [id, marker] of unitMarkers) if (!ids.has(id)) { marker.remove(); unitMarkers.delete(id); }
  for (const unit of units) drawUnit(layer, unit, onClick);
}

/** Grey out units whose last fix has grown old, without waiting for an event. */
export function refreshStaleness() {
  for (const marker of unitMarkers.values()) marker.setIcon(unitIcon(marker.unit));
}

export function drawIncidents(layer, incidents, onClick) {
  layer.clearLayers();
  for (const incident of incidents) {
    if (incident.lat === null || incident.lon === null) continue;
    const marker = L.marker(P(incident.lat, incident.lon), {
      icon: L.divIcon({
        className: `incident-icon p${incident.priority}`,
        html: `<span style="background:${PRIORITY_COLOURS[incident.priority]}">!</span>`,
        iconSize: [20, 20],
      }),
    });
    marker.bindTooltip(`${incident.number} ${incident.category_label} · ${incident.status_label} · ${incident.address_text}`);
    if (onClick) marker.on("click", () => onClick(incident));
    marker.addTo(layer);
  }
}

export function drawSites(layer, sites) {
  layer.clearLayers();
  for (const site of sites) {
    const colour = SITE_COLOURS[site.status] ?? "#facc15";
    L.marker(P(site.lat, site.lon), {
      icon: L.divIcon({ className: "site-icon", html: `<span style="color:${colour}">★</span>`, iconSize: [18, 18] }),
    }).bindTooltip(`${site.name} · ${site.crowd_level}${site.report_due ? " · 待上报" : ""}${site.note ? ` · ${site.note}` : ""}`).addTo(layer);
  }
}

/** Camera cones: where each camera looks and how far it sees. */
export function drawViews(layer, cameras) {
  layer.clearLayers();
  for (const c of cameras) {
    const points = [P(c.lat, c.lon)];
    for (let a = -c.fov_deg / 2; a <= c.fov_deg / 2; a += c.fov_deg / 8) {
      const bearing = ((c.direction_deg + a) * Math.PI) / 180;
      const dLat = (c.range_m * Math.cos(bearing)) / 111320;
      const dLon = (c.range_m * Math.sin(bearing)) / (111320 * Math.cos((c.lat * Math.PI) / 180));
      points.push(P(c.lat + dLat, c.lon + dLon));
    }
    L.polygon(points, { color: c.in_view ? "#22d3ee" : "#64748b", weight: 1, fillOpacity: c.in_view ? 0.25 : 0.08 })
      .bindTooltip(`${c.name} · ${Math.round(c.distance_m)} m${c.in_view ? " · 可见" : ""}`).addTo(layer);
  }
}

export function drawRoute(layer, path, colour = "#38bdf8") {
  layer.clearLayers();
  if (path?.length > 1) L.polyline(path.map(([lat, lon]) => P(lat, lon)), { color: colour, weight: 5, opacity: 0.85 }).addTo(layer);
}

/** Search units, incidents and key sites by name, call sign or number; pan to the first match. */
export function addSearch(map, sources) {
  const Search = L.Control.extend({
    onAdd() {
      const input = el("input", { type: "search", class: "map-search", placeholder: "搜索 呼号/警情号/部位", "aria-label": "地图搜索" });
      L.DomEvent.disableClickPropagation(input);
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        const q = input.value.trim();
        if (!q) return;
        for (const item of sources()) {
          const name = item.call_sign ?? item.number ?? item.name ?? "";
          if (name.includes(q) && item.lat !== null && item.lat !== undefined) {
            map.setView(P(item.lat, item.lon), Math.max(map.getZoom(), 16));
            return;
          }
        }
        input.classList.add("miss");
        setTimeout(() => input.classList.remove("miss"), 800);
      });
      return input;
    },
  });
  new Search({ position: "topleft" }).addTo(map);
}

export { el };
