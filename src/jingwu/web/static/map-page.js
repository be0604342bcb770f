import { api } from "./api.js";
import { drawIncidents, drawUnits, makeMap } from "./map-layers.js";

const { layers } = await makeMap(document.getElementById("map"));
async function refresh() {
  const [units, incidents] = await Promise.all([
    api("/api/units"),
    api("/api/incidents?open_only=true&per_page=200"),
  ]);
  drawUnits(layers.units, units);
  drawIncidents(layers.incidents, incidents.items, (i) => (location.href = `/incidents/${i.id}`));
}
await refresh();
setInterval(refresh, 3000);
