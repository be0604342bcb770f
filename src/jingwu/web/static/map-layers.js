// The one map: drawn from the station's own boundaries (works with no internet); a tile server
// on the station's network can be added by setting, with GCJ-02 shifting where it needs it.
import { api, el } from "./api.js";

export const STATUS_COLOURS = {
  available: "#16a34a", dispatched: "#2563eb", en_route: "#9333ea", on_scene: "#dc2626", off_duty: "#6b7280",
};
export const PRIORITY_COLOURS = { 1: "#dc2626", 2: "#f97316", 3: "#eab308", 4: "#3b82f6" };

export async function makeMap(container) {
  const map = L.map(container, { zoomControl: true, preferCanvas: true, attributionControl: false });
  const host = container.closest("[data-tile-url]");
  if (host?.dataset.tileUrl) L.tileLayer(host.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  const layers = {
    communities: L.layerGroup().addTo(map),
    roads: L.layerGroup().addTo(map),
    keySites: L.layerGroup().addTo(map),
    cameras: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map),
    units: L.layerGroup().addTo(map),
  };
  L.control.layers(null, {
    "社区/警务区": layers.communities, "道路": layers.roads, "重点部位": layers.keySites,
    "视频": layers.cameras, "警情": layers.incidents, "警力": layers.units,
  }, { collapsed: false }).addTo(map);
  const geo = await api("/api/places/jurisdiction.geojson");
  const beatColours = ["#0ea5e9", "#f59e0b", "#10b981", "#a855f7"];
  const polygons = L.geoJSON(geo, {
    filter: (f) => f.properties.layer === "community",
    style: (f) => ({ color: beatColours[(f.properties.beat_id ?? 0) % beatColours.length], weight: 2, fillOpacity: 0.08 }),
    onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.name}（${f.properties.beat_name ?? "未划警务区"}）`),
  }).addTo(layers.communities);
  for (const f of geo.features) {
    const [lon, lat] = f.geometry.coordinates;
    if (f.properties.layer === "key_site") {
      L.marker([lat, lon], { icon: L.divIcon({ className: "site-icon", html: "★", iconSize: [18, 18] }) })
        .bindTooltip(`${f.properties.name} · ${f.properties.crowd_level}`).addTo(layers.keySites);
    } else if (f.properties.layer === "camera") {
      L.circleMarker([lat, lon], { radius: 3, color: "#94a3b8", weight: 1 }).bindTooltip(f.properties.name).addTo(layers.cameras);
    }
  }
  if (polygons.getBounds().isValid()) map.fitBounds(polygons.getBounds(), { padding: [10, 10] });
  else map.setView([28.23, 112.86], 13);
  return { map, layers };
}

export function drawUnits(layer, units, onClick) {
  layer.clearLayers();
  for (const unit of units) {
    if (unit.lat === null || unit.lon === null) continue;
    const colour = unit.stale ? "#6b7280" : STATUS_COLOURS[unit.status] ?? "#6b7280";
    const marker = L.circleMarker([unit.lat, unit.lon], {
      radius: 7, color: "#0f172a", weight: 1, fillColor: colour, fillOpacity: 0.95,
    });
    marker.bindTooltip(`${unit.call_sign} · ${unit.status_label}${unit.stale ? "（定位过期）" : ""}`);
    if (onClick) marker.on("click", () => onClick(unit));
    marker.addTo(layer);
  }
}

export function drawIncidents(layer, incidents, onClick) {
  layer.clearLayers();
  for (const incident of incidents) {
    if (incident.lat === null || incident.lon === null) continue;
    const marker = L.marker([incident.lat, incident.lon], {
      icon: L.divIcon({
        className: `incident-icon p${incident.priority}`,
        html: `<span style="background:${PRIORITY_COLOURS[incident.priority]}">!</span>`,
        iconSize: [20, 20],
      }),
    });
    marker.bindTooltip(`${incident.number} ${incident.category_label} · ${incident.address_text}`);
    if (onClick) marker.on("click", () => onClick(incident));
    marker.addTo(layer);
  }
}

export { el };
