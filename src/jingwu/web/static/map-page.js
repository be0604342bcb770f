// The wall screen's one map: live units, open incidents, key sites, cameras — no polling.
// `#route=<incident id>` draws the crew's route to that incident (the terminal links here).
import { api, toast } from "./api.js";
import { connectLive, debounce } from "./live.js";
import { addSearch, drawIncidents, drawRoute, drawSites, drawUnit, drawUnits, makeMap, refreshStaleness } from "./map-layers.js";

const { map, layers } = await makeMap(document.getElementById("map"));
const state = { units: [], incidents: [], sites: [] };
const canSeeIncidents = document.querySelector(".full-map")?.dataset.incidents === "1";
addSearch(map, () => [...state.units, ...state.incidents, ...state.sites]);

async function reloadIncidents() {
  if (!canSeeIncidents) return;
  const page = await api("/api/incidents?open_only=true&per_page=200");
  state.incidents = page.items;
  drawIncidents(layers.incidents, state.incidents, (i) => (location.href = `/incidents/${i.id}`));
}
async function reloadSites() {
  state.sites = await api("/api/sites/board").catch(() => []);
  drawSites(layers.keySites, state.sites);
}
const incidentsSoon = debounce(reloadIncidents, 150);
const sitesSoon = debounce(reloadSites, 300);

connectLive({
  onSnapshot(snapshot) {
    state.units = snapshot.units;
    drawUnits(layers.units, state.units);
    if (snapshot.incidents) {
      state.incidents = snapshot.incidents;
      drawIncidents(layers.incidents, state.incidents, (i) => (location.href = `/incidents/${i.id}`));
    }
  },
  onEvent(frame) {
    const p = frame.payload;
    if (frame.type === "unit.position" || frame.type === "unit.status") {
      const unit = state.units.find((u) => u.id === p.unit_id);
      if (!unit) return;
      if (frame.type === "unit.position") Object.assign(unit, { lat: p.lat, lon: p.lon, heading: p.heading, last_fix_at: p.at, stale: false });
      else unit.status = p.status;
      drawUnit(layers.units, unit);
    } else if (frame.type.startsWith("incident.")) incidentsSoon();
    else if (frame.type === "keysite.reported") sitesSoon();
  },
  onState(value) { document.body.dataset.live = value; },
});
reloadSites();
setInterval(refreshStaleness, 15000);

const route = /route=(\d+)/.exec(location.hash);
if (route) {
  try {
    const path = await api(`/api/incidents/${route[1]}/route`);
    drawRoute(layers.route, path.path);
    map.fitBounds(layers.route.getLayers()[0].getBounds(), { padding: [40, 40] });
    toast(path.explanation);
  } catch (error) { toast(error.message, "error"); }
}
