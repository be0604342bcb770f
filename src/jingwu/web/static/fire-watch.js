// The fire watch room (消防值班室): calls with their run card, apparatus and crew readiness,
// water sources and pre-plans on the map, crew rotation and the operation report.
import { api, el, localTime, toast, duration } from "./api.js";
import { drawIncidents, drawUnits, makeMap } from "./map-layers.js";

const grid = document.querySelector(".fire-grid");
const canManage = grid.dataset.canManage === "1";
const canDispatch = grid.dataset.canDispatch === "1";
const listBox = document.getElementById("fire-incidents");
const detailBox = document.getElementById("fire-detail");
const LEVELS = { 1: "一级", 2: "二级", 3: "三级" };
const yuan = (v) => `${Number(v).toLocaleString("zh-CN")} 元`;

const { map, layers } = await makeMap(document.getElementById("fire-map"));
const water = L.layerGroup().addTo(map);
const plans = L.layerGroup().addTo(map);
let picked = null;
let pickMarker = null;
let selectedId = null;
let level = 1;
let known = null;
let members = [];

map.on("click", (event) => {
  picked = event.latlng;
  pickMarker?.remove();
  pickMarker = L.circleMarker(picked, { radius: 8, color: "#f97316" }).addTo(map);
  toast(`已选取坐标 ${picked.lat.toFixed(5)}, ${picked.lng.toFixed(5)}`);
});

async function drawFireLayers() {
  const geo = await api("/api/fire/map.geojson");
  water.clearLayers();
  plans.clearLayers();
  for (const f of geo.features) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    if (p.layer === "water_source") {
      L.circleMarker([lat, lon], { radius: 4, color: p.working ? "#38bdf8" : "#64748b", weight: 2, fillOpacity: 0.6 })
        .bindTooltip(`${p.kind_label} ${p.name} · ${p.flow_lps} L/s${p.working ? "" : "（故障）"}`).addTo(water);
    } else if (p.layer === "hazard_plan") {
      L.marker([lat, lon], { icon: L.divIcon({ className: "plan-icon", html: "▲", iconSize: [16, 16] }) })
        .bindTooltip(`预案：${p.site_name}｜${p.hazards}`).addTo(plans);
    }
  }
}

function ring() {
  try {
    const audio = new AudioContext();
    const osc = audio.createOscillator();
    osc.frequency.value = 660;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  } catch { /* the page has not been touched yet */ }
}

function incidentItem(item) {
  const i = item.incident;
  const units = [item.fire_units.length ? `消防：${item.fire_units.join("、")}` : "", item.police_units.length ? `公安：${item.police_units.join("、")}` : ""].filter(Boolean);
  return el("li", { class: `q-item ${i.id === selectedId ? "selected" : ""}`, tabindex: 0, "data-id": i.id,
    onclick: () => select(i.id), onkeydown: (e) => { if (e.key === "Enter") select(i.id); } },
    el("div", { class: "q-top" }, el("span", { class: `prio p${i.priority}` }, i.category_label),
      item.alarm_level ? el("span", { class: "level" }, `${LEVELS[item.alarm_level]}出动`) : "",
      el("span", { class: "timer" }, duration(i.timers.running_s))),
    el("div", { class: "q-addr" }, i.address_text || "（坐标）"),
    el("div", { class: "q-meta" }, `${i.number} · ${i.status_label}`, units.length ? ` · ${units.join("；")}` : ""));
}

async function refresh() {
  const [incidents, apparatus, board] = await Promise.all([
    api("/api/fire/incidents"), api("/api/fire/apparatus"), api("/api/fire/readiness"),
  ]);
  const ids = new Set(incidents.map((i) => i.incident.id));
  if (known && [...ids].some((id) => !known.has(id))) ring();
  known = ids;
  listBox.replaceChildren(...(incidents.length ? incidents.map(incidentItem)
    : [el("li", { class: "empty" }, "暂无火警。新警情会在此出现并响铃。")]));
  drawIncidents(layers.incidents, incidents.map((i) => i.incident), (i) => select(i.id));
  drawUnits(layers.units, apparatus.map((a) => ({ ...a, status: a.unit_status, status_label: `${a.kind_label} · ${a.unit_status_label}`, stale: false })));
  document.getElementById("ready-apparatus").textContent = `${board.apparatus_ready}/${board.apparatus_total}`;
  document.getElementById("ready-members").textContent = `${board.members_ready}/${board.members_total}`;
  document.getElementById("apparatus").replaceChildren(...apparatus.map(apparatusItem));
}

function apparatusItem(a) {
  const state = a.readiness !== "ready" ? "off_duty" : a.unit_status;
  const control = canManage && ["available", "off_duty"].includes(a.unit_status)
    ? el("select", { class: "readiness", "aria-label": `${a.call_sign} 战备状态`, onchange: async (e) => {
        try { await api(`/api/fire/apparatus/${a.id}/readiness`, { method: "POST", body: { readiness: e.target.value } }); toast(`${a.call_sign}：已更新`); await refresh(); }
        catch (error) { toast(error.message, "error"); }
      } }, ...[["ready", "执勤备战"], ["maintenance", "维护保养"], ["out_of_service", "停用"]].map(([v, t]) =>
        el("option", { value: v, selected: v === a.readiness }, t)))
    : el("span", { class: "badge" }, a.readiness_label);
  return el("li", { class: `unit u-${state}` },
    el("strong", {}, a.call_sign), el("span", { class: "badge" }, `${a.kind_label} · ${a.unit_status_label}`),
    el("div", { class: "q-meta" }, a.crew.length ? `车组：${a.crew.join("、")}` : "车组：机动编配", " ", control));
}

async function refreshMembers() {
  members = await api("/api/fire/members");
  document.getElementById("members").replaceChildren(...members.map((m) => el("li", { class: m.ready ? "ok" : "bad" },
    el("strong", {}, m.name), el("span", { class: "badge" }, m.post),
    m.on_operation_id ? el("span", { class: "badge busy" }, "战斗中") : "",
    el("div", { class: "q-meta" }, m.ready ? "可战" : m.not_ready_reasons.join("；"),
      ...m.qualifications.filter((q) => q.expiring_soon).map((q) => el("span", { class: "soon" }, ` ${q.label}将于${q.expires_on}到期`))))));
}

async function select(id) {
  selectedId = id;
  listBox.querySelectorAll(".q-item").forEach((n) => n.classList.toggle("selected", Number(n.dataset.id) === id));
  await renderDetail();
}

async function renderDetail() {
  if (!selectedId) return;
  const incident = (await api("/api/fire/incidents")).find((i) => i.incident.id === selectedId);
  if (!incident) { detailBox.replaceChildren(el("p", { class: "empty" }, "该警情已结束。")); return; }
  const i = incident.incident;
  let plan = null;
  let planError = "";
  try { plan = await api(`/api/fire/incidents/${i.id}/plan?alarm_level=${level}`); }
  catch (error) { planError = error.message; }
  const operation = incident.operation_id ? await api(`/api/fire/operations/${incident.operation_id}`) : null;
  const levelSelect = el("select", { id: "alarm-level", onchange: (e) => { level = Number(e.target.value); renderDetail(); } },
    ...[1, 2, 3].map((n) => el("option", { value: n, selected: n === level }, `${LEVELS[n]}`)));
  const dispatchButton = canDispatch && plan && plan.proposed.length && (!operation || operation.status === "active")
    ? el("button", { class: "primary", id: "plan-dispatch", onclick: () => dispatch(i.id) }, operation ? "按预案增派" : "按预案出动")
    : "";
  detailBox.replaceChildren(
    el("div", { class: "d-head" }, el("span", { class: `prio p${i.priority}` }, i.category_label),
      el("h2", {}, i.address_text || i.number), el("span", { class: "status" }, i.status_label),
      el("span", { class: "muted" }, `${i.number} · 接警 ${localTime(i.reported_at)}`),
      el("a", { href: `/incidents/${i.id}` }, "完整时间线")),
    el("div", { class: "d-cols fire-cols" },
      el("div", {}, el("h3", {}, "调派方案 ", levelSelect),
        plan ? [el("p", {}, el("strong", {}, plan.run_card.name), ` · 最少 ${plan.run_card.min_crew} 人`, plan.run_card.note ? ` · ${plan.run_card.note}` : ""),
          el("ul", { class: "recs", id: "proposed" }, ...plan.proposed.map((p) => el("li", { class: "rec" }, `${p.call_sign}（${p.kind_label}）`, p.distance_m !== null ? ` ${(p.distance_m / 1000).toFixed(1)} km` : ""))),
          plan.shortfall.length ? el("p", { class: "error" }, `缺：${plan.shortfall.join("、")}（请求增援）`) : "",
          !plan.proposed.length && !plan.shortfall.length ? el("p", { class: "ok" }, "本级预案力量已全部派出") : ""]
          : el("p", { class: "error" }, planError),
        el("div", { class: "actions" }, dispatchButton),
        el("p", { class: "q-meta" }, "已派力量：", [...incident.fire_units, ...incident.police_units].join("、") || "尚未派出")),
      el("div", {}, el("h3", {}, "附近水源"),
        plan && plan.water_sources.length ? el("ul", { class: "plain" }, ...plan.water_sources.map((w) => el("li", {}, `${w.kind_label} ${w.name} · ${Math.round(w.distance_m)} m · ${w.flow_lps} L/s`)))
          : el("p", { class: "muted" }, "1 km 内无登记水源"),
        el("h3", {}, "重点部位预案"),
        plan && plan.hazard_plans.length ? plan.hazard_plans.map((h) => el("div", { class: "hazard" },
          el("strong", {}, h.site_name), ` · ${Math.round(h.distance_m)} m · 约 ${h.occupants} 人`,
          el("p", {}, "危险：", h.hazards), el("p", {}, "通道：", h.access), el("p", {}, "水源：", h.water)))
          : el("p", { class: "muted" }, "附近无重点部位预案")),
      el("div", {}, operation ? operationBlock(operation) : el("p", { class: "muted" }, "出动后在此轮换接班、填写战斗报告。"))),
  );
}

function operationBlock(operation) {
  const shifts = el("table", { class: "shifts" }, el("tr", {}, el("th", {}, "班次"), el("th", {}, "带班"), el("th", {}, "接班"), el("th", {}, "人员")),
    ...operation.shifts.map((s) => el("tr", {}, el("td", {}, `第${s.number}班`), el("td", {}, s.leader),
      el("td", {}, localTime(s.started_at)), el("td", {}, s.members.join("、")))));
  const head = el("h3", {}, `战斗 #${operation.id} · ${operation.status === "active" ? "进行中" : "已结束"}`);
  if (operation.status !== "active") {
    return el("div", {}, head, shifts, el("p", {}, `历时 ${duration(operation.duration_s)}，营救 ${operation.people_rescued} 人，保护 ${yuan(operation.property_protected_yuan)}，损失 ${yuan(operation.property_lost_yuan)}`));
  }
  if (!canManage) return el("div", {}, head, shifts);
  const ready = members.filter((m) => m.ready && (!m.on_operation_id || m.on_operation_id === operation.id));
  const boxes = ready.map((m) => el("label", { class: "check" }, el("input", { type: "checkbox", name: "member", value: m.id }), m.name));
  const leader = el("select", { name: "leader" }, ...ready.map((m) => el("option", { value: m.id }, m.name)));
  const shiftForm = el("form", { id: "shift-form", onsubmit: async (e) => {
    e.preventDefault();
    const ids = [...e.target.querySelectorAll("input[name=member]:checked")].map((b) => Number(b.value));
    try {
      await api(`/api/fire/operations/${operation.id}/shifts`, { method: "POST", body: { member_ids: ids, leader_member_id: Number(leader.value) } });
      toast("已轮换接班"); await refreshMembers(); await renderDetail();
    } catch (error) { toast(error.message, "error"); }
  } }, el("div", { class: "checks" }, ...boxes), el("label", {}, "带班人", leader), el("button", {}, "轮换接班"));
  const reportForm = el("form", { id: "report-form", onsubmit: async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api(`/api/fire/operations/${operation.id}/report`, { method: "POST", body: {
        people_rescued: Number(f.get("rescued")), property_protected_yuan: Number(f.get("protected")),
        property_lost_yuan: Number(f.get("lost")), summary: String(f.get("summary")).trim() } });
      toast("战斗报告已保存"); await refreshMembers(); await renderDetail();
    } catch (error) { toast(error.message, "error"); }
  } },
    el("div", { class: "coords" },
      el("label", {}, "营救人数", el("input", { name: "rescued", type: "number", min: 0, value: 0, required: true })),
      el("label", {}, "保护财产（元）", el("input", { name: "protected", type: "number", min: 0, value: 0, required: true })),
      el("label", {}, "损失（元）", el("input", { name: "lost", type: "number", min: 0, value: 0 }))),
    el("textarea", { name: "summary", rows: 2, maxlength: 4000, placeholder: "战斗经过与小结" }),
    el("button", { class: "primary" }, "战斗结束，提交报告"));
  return el("div", {}, head, shifts, el("h3", {}, "轮换接班"), shiftForm, el("h3", {}, "战斗报告"), reportForm);
}

async function dispatch(id) {
  try {
    const operation = await api(`/api/fire/incidents/${id}/dispatch`, { method: "POST", body: { alarm_level: level } });
    toast(`已按预案出动（战斗 #${operation.id}）`);
    await refresh(); await renderDetail();
  } catch (error) { toast(error.message, "error"); }
}

const dialog = document.getElementById("call-dialog");
function openCall() {
  if (!dialog) return;
  document.getElementById("c-lat").value = picked ? picked.lat.toFixed(6) : "";
  document.getElementById("c-lon").value = picked ? picked.lng.toFixed(6) : "";
  dialog.showModal();
  document.getElementById("c-address").focus();
}
document.getElementById("new-call")?.addEventListener("click", openCall);
document.addEventListener("keydown", (e) => {
  if (e.key === "n" && !dialog?.open && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) { e.preventDefault(); openCall(); }
});
document.getElementById("call-save")?.addEventListener("click", async (e) => {
  e.preventDefault();
  const form = document.getElementById("call-form");
  if (!form.reportValidity()) return;
  const f = new FormData(form);
  const lat = parseFloat(document.getElementById("c-lat").value);
  const lon = parseFloat(document.getElementById("c-lon").value);
  const incident = { category_code: f.get("category_code"), caller_phone: String(f.get("caller_phone")).trim(),
    address_text: String(f.get("address_text")).trim(), description: String(f.get("description")).trim() };
  if (Number.isFinite(lat) && Number.isFinite(lon)) Object.assign(incident, { lat, lon });
  try {
    const created = await api("/api/fire/incidents", { method: "POST", headers: { "Idempotency-Key": crypto.randomUUID() },
      body: { incident, alarm_level: Number(f.get("alarm_level")), dispatch: document.getElementById("c-dispatch").checked } });
    dialog.close(); form.reset();
    toast(`已接警 ${created.number}`);
    level = Number(f.get("alarm_level"));
    await refresh(); await select(created.id);
  } catch (error) { toast(error.message, "error"); }
});

await Promise.all([drawFireLayers(), refreshMembers()]);
await refresh();
setInterval(() => refresh().catch((error) => toast(`刷新失败：${error.message}`, "warn")), 4000);
setInterval(() => refreshMembers().catch(() => {}), 30000);
