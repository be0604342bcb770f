// Drill mode: take a simulated call, decide, and read the debrief. Nothing here moves a real unit.
import { api, el, toast } from "./api.js";
import { drawUnits, makeMap } from "./map-layers.js";

const { map, layers } = await makeMap(document.getElementById("drill-map"));
const scripts = await api("/api/drills/scripts");
const select = document.getElementById("drill-script");
for (const s of scripts) select.append(el("option", { value: s.code }, s.title));
let drill = null;
let units = [];

function showCall(d) {
  const box = document.getElementById("drill-call");
  box.replaceChildren(
    el("h2", {}, `${d.number} · ${d.title}`),
    el("p", {}, `报警人：“${d.words}”`),
    el("p", {}, `地址：${d.address}`),
    el("p", { class: "timer", id: "drill-timer" }, "0 秒"),
  );
  layers.incidents.clearLayers();
  L.marker([d.lat, d.lon]).bindTooltip(d.title).addTo(layers.incidents);
  map.setView([d.lat, d.lon], 15);
}

function showUnits() {
  const list = document.getElementById("drill-units");
  list.replaceChildren(
    ...units.filter((u) => u.status === "available").map((u) =>
      el("li", {}, el("label", {}, el("input", { type: "checkbox", value: String(u.id) }), ` ${u.call_sign} · ${u.kind_label}`)),
    ),
  );
}

function showDebrief(d) {
  const box = document.getElementById("drill-debrief");
  box.replaceChildren(
    el("h2", {}, `讲评：${d.score} 分`),
    el("p", {}, `接警到决定：${d.seconds_to_decision === null ? "—" : Math.round(d.seconds_to_decision) + " 秒"}（${d.time_points}/40）`),
    el("p", {}, `所派：${d.chosen_unit ?? "—"}；最快：${d.best_unit ?? "—"}（${d.unit_points}/30）`),
    el("p", {}, `步骤：完成 ${d.steps_done.join("、") || "无"}；遗漏 ${d.steps_missed.join("、") || "无"}（${d.step_points}/30）`),
    el("ul", {}, ...d.advice.map((a) => el("li", {}, a))),
  );
}

document.getElementById("drill-start").addEventListener("click", async () => {
  drill = await api("/api/drills", { method: "POST", body: { script: select.value || null } });
  units = await api("/api/units");
  showCall(drill);
  showUnits();
  drawUnits(layers.units, units);
  document.getElementById("drill-debrief").replaceChildren();
  const started = Date.now();
  const timer = setInterval(() => {
    const node = document.getElementById("drill-timer");
    if (!node || !drill) return clearInterval(timer);
    node.textContent = `${Math.round((Date.now() - started) / 1000)} 秒`;
  }, 1000);
});

for (const button of document.querySelectorAll("[data-step]")) {
  button.addEventListener("click", async () => {
    if (!drill) return toast("请先开始演练", "error");
    await api(`/api/drills/${drill.incident_id}/steps`, { method: "POST", body: { step: button.dataset.step } });
    toast(`已记录：${button.textContent}`);
  });
}

document.getElementById("drill-dispatch").addEventListener("click", async () => {
  if (!drill) return toast("请先开始演练", "error");
  const chosen = [...document.querySelectorAll("#drill-units input:checked")].map((i) => Number(i.value));
  if (!chosen.length) return toast("请选择至少一个警力单元", "error");
  try {
    const instruction = document.getElementById("drill-instruction").value;
    showDebrief(await api(`/api/drills/${drill.incident_id}/dispatch`, { method: "POST", body: { unit_ids: chosen, instruction } }));
  } catch (error) { toast(error.message, "error"); }
});

document.getElementById("drill-community").addEventListener("click", async () => {
  if (!drill) return toast("请先开始演练", "error");
  try {
    showDebrief(await api(`/api/drills/${drill.incident_id}/triage`, { method: "POST", body: { route: "community", reason: "矛盾纠纷，转社区化解" } }));
  } catch (error) { toast(error.message, "error"); }
});
