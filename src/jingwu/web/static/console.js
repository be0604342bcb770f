// The dispatcher's one screen: queue, map, units, detail — keyboard first (N D 1–9 Enter / Esc).
import { api, duration, el, localTime, toast } from "./api.js";
import { connectLive, debounce } from "./live.js";
import {
  addSearch, drawIncidents, drawRoute, drawSites, drawUnit, drawUnits, drawViews, makeMap, P, refreshStaleness, unP,
} from "./map-layers.js";

const root = document.querySelector(".console-grid");
const ACK_LIMIT = Number(root.dataset.ackLimit || 60);
const CAN_DISPATCH = root.dataset.canDispatch === "1";
const state = { incidents: [], units: [], sites: [], calls: [], selected: null, detail: null, recs: [], pick: 0, point: null };
const { map, layers } = await makeMap(document.getElementById("map"));
addSearch(map, () => [...state.units, ...state.incidents, ...state.sites]);
const dialog = document.getElementById("intake-dialog");
const form = document.getElementById("intake-form");
let pin = null;

function priorityBadge(p) {
  return el("span", { class: `prio p${p}` }, ["一级", "二级", "三级", "四级"][p - 1]);
}

function renderQueue() {
  const list = document.getElementById("queue");
  list.replaceChildren();
  document.getElementById("queue-empty").hidden = state.incidents.length > 0;
  for (const incident of state.incidents) {
    const running = incident.timers.running_s;
    const item = el("li", {
      class: `q-item${incident.id === state.selected ? " selected" : ""}`,
      tabindex: 0, "data-id": incident.id,
      onclick: () => select(incident.id),
    },
      el("div", { class: "q-top" }, priorityBadge(incident.priority),
        el("strong", {}, incident.category_label),
        el("span", { class: `timer${running > 600 ? " late" : ""}`, "data-since": incident.reported_at }, duration(running))),
      el("div", { class: "q-addr" }, incident.address_text || "（仅坐标）"),
      el("div", { class: "q-meta" }, incident.number, " · ", el("span", { class: `status s-${incident.status}` }, incident.status_label)),
    );
    list.append(item);
  }
}

function renderUnits() {
  const list = document.getElementById("unit-list");
  list.replaceChildren();
  const free = state.units.filter((u) => u.status === "available").length;
  document.getElementById("unit-count").textContent = `空闲 ${free} / ${state.units.length}`;
  for (const unit of state.units) {
    const age = unit.fix_age_s === null ? "无定位" : `${duration(unit.fix_age_s)} 前`;
    list.append(el("li", { class: `unit u-${unit.stale ? "stale" : unit.status}`, "data-unit": unit.id,
      onclick: () => unit.lat !== null && map.panTo(P(unit.lat, unit.lon)) },
      el("strong", {}, unit.call_sign),
      el("span", { class: "badge" }, unit.status_label),
      el("div", { class: "muted" }, unit.crew.map((c) => c.display_name).join("、") || "—", " · ", age),
    ));
  }
}

function renderAlerts(alerts) {
  const bar = document.getElementById("alerts");
  bar.replaceChildren(...alerts.slice(0, 4).map((a) =>
    el("button", { class: "alert", onclick: () => select(a.incident_id) }, "⚠ ", a.message)));
}

async function reloadQueue() {
  try {
    const queue = await api(`/api/incidents?open_only=true&per_page=100&${queueFilters()}`);
    state.incidents = queue.items;
    renderQueue();
    drawIncidents(layers.incidents, queue.items, (i) => select(i.id));
    if (state.selected) await loadDetail(state.selected, false);
  } catch (error) {
    toast(`刷新失败：${error.message}`, "error");
  }
}

async function reloadAlerts() {
  try { renderAlerts(await api("/api/incidents/alerts")); } catch { /* next event retries */ }
}

async function reloadSites() {
  try { state.sites = await api("/api/sites/board"); drawSites(layers.keySites, state.sites); } catch { /* not fatal */ }
}

async function reloadCalls() {
  try { state.calls = await api("/api/calls?limit=6"); renderCalls(); } catch { /* not fatal */ }
}

async function reloadUnits() {
  try { state.units = await api("/api/units"); renderUnits(); drawUnits(layers.units, state.units, focusUnit); } catch { /* not fatal */ }
}

const refresh = debounce(reloadQueue, 120);
const refreshUnits = debounce(reloadUnits, 300);
const refreshAlerts = debounce(reloadAlerts, 300);
const refreshCalls = debounce(reloadCalls, 150);
const refreshSites = debounce(reloadSites, 300);
const renderUnitsSoon = debounce(renderUnits, 200);
const STATUS_LABELS = { available: "空闲", dispatched: "已派", en_route: "途中", on_scene: "到场", off_duty: "下班" };

function focusUnit(unit) {
  document.querySelector(`[data-unit="${unit.id}"]`)?.scrollIntoView({ block: "nearest" });
}

function renderCalls() {
  const list = document.getElementById("call-list");
  if (!state.calls.length) { list.replaceChildren(el("li", { class: "muted" }, "暂无呼叫。按 C 呼叫警力。")); return; }
  list.replaceChildren(...state.calls.map((call) => el("li", { class: "call", "data-call": call.id },
    el("div", {}, el("strong", {}, call.scope_label), " ", call.message, " ",
      el("span", { class: "muted" }, `${call.acknowledged}/${call.targets.length} 已应答`)),
    el("div", { class: "targets" }, ...call.targets.map((t) => el("span", {
      class: `target ${t.acknowledged_at ? "acked" : t.escalated_at ? "escalated" : "waiting"}`,
      title: t.acknowledged_at ? `收到 ${localTime(t.acknowledged_at)}` : t.escalated_at ? "超时未应答" : "等待应答",
    }, t.acknowledged_at ? "✓ " : t.escalated_at ? "⚠ " : "… ", t.call_sign))))));
}

function onEvent(frame) {
  const p = frame.payload;
  switch (frame.type) {
    case "unit.position": {
      const unit = state.units.find((u) => u.id === p.unit_id);
      if (!unit) { refreshUnits(); return; }
      Object.assign(unit, { lat: p.lat, lon: p.lon, heading: p.heading, speed_mps: p.speed_mps, last_fix_at: p.at, stale: false, fix_age_s: 0 });
      drawUnit(layers.units, unit, focusUnit);
      renderUnitsSoon();
      return;
    }
    case "unit.status": {
      const unit = state.units.find((u) => u.id === p.unit_id);
      if (unit) {
        Object.assign(unit, { status: p.status, status_label: STATUS_LABELS[p.status] ?? p.status, current_incident_id: p.incident_id });
        drawUnit(layers.units, unit, focusUnit);
        renderUnitsSoon();
      }
      refreshUnits();
      return;
    }
    case "alert.raised": toast(`⚠ ${p.message}`, "warn"); refreshAlerts(); refresh(); return;
    case "call.issued": case "call.acknowledged": refreshCalls(); return;
    case "call.escalated": toast(`⚠ ${p.message}`, "warn"); refreshCalls(); return;
    case "keysite.reported": refreshSites(); return;
    case "video.finding": if (p.incident_id) refresh(); return;
    default:
      if (frame.type.startsWith("incident.")) { refresh(); refreshAlerts(); }
  }
}

function onSnapshot(snapshot) {
  state.units = snapshot.units;
  state.calls = (snapshot.calls ?? []).slice(0, 6);
  renderUnits();
  renderCalls();
  renderAlerts(snapshot.alerts ?? []);
  drawUnits(layers.units, state.units, focusUnit);
  reloadQueue();
}

function onLiveState(value) {
  const badge = document.getElementById("live-state");
  badge.dataset.state = value;
  badge.textContent = { live: "● 实时", connecting: "连接中…", offline: "○ 已断开，重连中…", login: "请重新登录" }[value] ?? value;
}

function queueFilters() {
  const params = new URLSearchParams();
  const q = document.getElementById("queue-search").value.trim();
  const p = document.getElementById("queue-priority").value;
  if (q) params.set("q", q);
  if (p) params.set("priority", p);
  return params.toString();
}

async function select(id) {
  state.selected = id;
  state.pick = 0;
  renderQueue();
  await loadDetail(id, true);
}

async function loadDetail(id, pan) {
  const incident = await api(`/api/incidents/${id}`);
  state.detail = incident;
  state.recs = CAN_DISPATCH && ["received", "dispatched", "acknowledged", "en_route", "on_scene"].includes(incident.status)
    ? await api(`/api/incidents/${id}/recommendations`) : [];
  state.photos = incident.feedback_at || incident.status === "reported" || incident.status === "closed"
    ? await api(`/api/incidents/${id}/attachments`).catch(() => []) : [];
  renderDetail();
  drawRoute(layers.route, state.recs[state.pick]?.route);
  if (pan && incident.lat !== null) {
    map.panTo(P(incident.lat, incident.lon));
    state.point = [incident.lat, incident.lon];
    await loadCameras(`incident_id=${id}`);
  }
}

// --- 随时看: cameras that see the place, nearest first; HLS plays through the vendored hls.js ---
let hls = null;
async function loadCameras(query) {
  try {
    const cameras = await api(`/api/video/cameras/near?${query}`);
    drawViews(layers.views, cameras);
    document.getElementById("camera-hint").hidden = cameras.length > 0;
    document.getElementById("camera-list").replaceChildren(...cameras.map((c) => el("li", {
      class: `camera${c.in_view ? " in-view" : ""}`, tabindex: 0, onclick: () => play(c),
    }, c.in_view ? "◉ " : "○ ", c.name, " ", el("span", { class: "muted" }, `${Math.round(c.distance_m)} m`))));
  } catch (error) { toast(error.message, "error"); }
}

function play(camera) {
  const video = document.getElementById("player");
  const label = document.getElementById("player-state");
  if (hls) { hls.destroy(); hls = null; }
  if (!camera.stream_url) { video.hidden = true; label.textContent = `${camera.name}：未接入视频流`; return; }
  video.hidden = false;
  label.textContent = `${camera.name} · 正在连接…`;
  if (window.Hls?.isSupported()) {
    hls = new window.Hls({ enableWorker: false, lowLatencyMode: true });
    hls.loadSource(camera.stream_url);
    hls.attachMedia(video);
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => { label.textContent = `${camera.name} · 直播`; video.play().catch(() => {}); });
    hls.on(window.Hls.Events.ERROR, (_e, data) => { if (data.fatal) label.textContent = `${camera.name} · 视频流不可用（${data.details}）`; });
  } else {
    video.src = camera.stream_url;
    video.play().catch(() => { label.textContent = `${camera.name} · 无法播放`; });
  }
}

function renderDetail() {
  const incident = state.detail;
  const box = document.getElementById("detail");
  const recs = state.recs.map((r, index) => el("li", {
    class: `rec${index === state.pick ? " picked" : ""}`,
    onclick: () => { state.pick = index; renderDetail(); },
  }, el("kbd", {}, String(index + 1)), " ", el("strong", {}, r.call_sign), " ", r.explanation));
  const timeline = incident.timeline.map((t) => el("li", { class: `k-${t.kind}` }, el("time", {}, localTime(t.at)), " ", t.text));
  const actions = [];
  if (CAN_DISPATCH && incident.status === "received") {
    const routeSelect = el("select", { id: "triage-route" },
      ...[["case_team", "案件办理队"], ["community", "社区警务队"], ["partner", "联动单位"], ["fire", "消防救援站"]]
        .map(([v, l]) => el("option", { value: v }, l)));
    const reason = el("input", { id: "triage-reason", placeholder: "分流原因", maxlength: 255 });
    actions.push(el("span", { class: "triage" }, routeSelect, reason, el("button", { onclick: triage }, "分流")));
  }
  if (recs.length) actions.push(el("button", { class: "primary", id: "dispatch-btn", onclick: dispatchPicked }, "派警 [D]"));
  if (["received", "diverted", "reported"].includes(incident.status)) {
    actions.push(el("button", { id: "close-btn", onclick: closeIncident }, "结警"));
  }
  actions.push(el("a", { href: `/incidents/${incident.id}`, target: "_blank" }, "完整页面"));
  box.replaceChildren(
    el("div", { class: "d-head" }, priorityBadge(incident.priority), el("h2", {}, `${incident.number} ${incident.category_label}`),
      el("span", { class: `status s-${incident.status}` }, incident.status_label)),
    el("div", { class: "d-cols" },
      el("div", {},
        el("p", {}, el("b", {}, "报警人 "), `${incident.caller_name || "匿名"} ${incident.caller_phone}`,
          incident.callers.length > 1 ? ` 等 ${incident.callers.length} 人` : ""),
        el("p", {}, el("b", {}, "地址 "), incident.address_text || "—"),
        el("p", { class: "words" }, incident.description || "—"),
        el("div", { class: "actions" }, ...actions)),
      el("div", {}, el("h3", {}, "推荐警力"), recs.length ? el("ol", { class: "recs" }, ...recs) : el("p", { class: "muted" }, "—"),
        incident.possible_duplicates?.length ? el("p", { class: "hint" }, "可能重复：", incident.possible_duplicates.map((d) => d.number).join("、")) : ""),
      el("div", {}, el("h3", {}, "时间线"), el("ol", { class: "timeline", id: "timeline" }, ...timeline),
        state.photos?.length ? el("div", { class: "photos" }, ...state.photos.map((p) =>
          el("a", { href: p.url, target: "_blank" }, el("img", { src: p.url, alt: "现场照片", loading: "lazy" })))) : "")),
  );
}

async function dispatchPicked() {
  const rec = state.recs[state.pick];
  if (!rec) return;
  try {
    await api(`/api/incidents/${state.selected}/dispatch`, { method: "POST", body: { unit_ids: [rec.unit_id], instruction: "" } });
    toast(`已派 ${rec.call_sign}`);
    await reloadQueue();
  } catch (error) { toast(error.message, "error"); }
}

async function triage() {
  const route = document.getElementById("triage-route").value;
  const reason = document.getElementById("triage-reason").value.trim();
  if (!reason) { toast("请填写分流原因", "error"); return; }
  try {
    await api(`/api/incidents/${state.selected}/triage`, { method: "POST", body: { route, reason } });
    toast("已分流");
    await reloadQueue();
  } catch (error) { toast(error.message, "error"); }
}

async function closeIncident() {
  try {
    await api(`/api/incidents/${state.selected}/close`, { method: "POST", body: { note: "" } });
    toast("已结警");
    state.selected = null;
    document.getElementById("detail").replaceChildren(el("p", { class: "empty" }, "已结警。选择下一条警情。"));
    await reloadQueue();
  } catch (error) { toast(error.message, "error"); }
}

// --- intake ---------------------------------------------------------------------------------
function openIntake() {
  form.reset();
  document.getElementById("intake-error").textContent = "";
  document.getElementById("caller-history").textContent = "";
  dialog.showModal();
  document.getElementById("f-phone").focus();
}

let addressTimer = null;
document.getElementById("f-address").addEventListener("input", (event) => {
  clearTimeout(addressTimer);
  document.getElementById("f-address-id").value = "";
  addressTimer = setTimeout(async () => {
    const q = event.target.value.trim();
    if (q.length < 2) return;
    try {
      const page = await api(`/api/places/addresses?q=${encodeURIComponent(q)}&limit=8`);
      const options = document.getElementById("address-options");
      options.replaceChildren(...page.items.map((a) => el("option", { value: a.full_text, "data-id": a.id, "data-lat": a.lat, "data-lon": a.lon })));
      const exact = page.items.find((a) => a.full_text === q);
      if (exact) pickAddress(exact.id, exact.lat, exact.lon);
    } catch { /* typing continues */ }
  }, 200);
});

function pickAddress(id, lat, lon) {
  document.getElementById("f-address-id").value = id ?? "";
  setPin(lat, lon);
  checkDuplicates();
}

function setPin(lat, lon) {
  document.getElementById("f-lat").value = lat;
  document.getElementById("f-lon").value = lon;
  document.getElementById("f-pin").textContent = `落点 ${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)}`;
  if (pin) pin.remove();
  pin = L.marker(P(Number(lat), Number(lon))).addTo(map);
}

map.on("click", (event) => {
  const [lat, lon] = unP(event.latlng);
  if (!dialog.open) {
    state.point = [lat, lon];
    loadCameras(`lat=${lat.toFixed(6)}&lon=${lon.toFixed(6)}`);
    return;
  }
  setPin(lat, lon);
  checkDuplicates();
});

document.getElementById("f-phone").addEventListener("change", async (event) => {
  const phone = event.target.value.trim();
  if (!phone) return;
  try {
    const history = await api(`/api/callers/${encodeURIComponent(phone)}/history`);
    document.getElementById("caller-history").textContent = history.length
      ? `此号码曾报警 ${history.length} 次：` + history.slice(0, 3).map((i) => `${localTime(i.reported_at)} ${i.category_label}`).join("；")
      : "此号码无历史报警";
  } catch { /* not fatal */ }
});

function categoryCode() {
  const raw = document.getElementById("f-category").value.trim();
  const code = raw.split(/\s+/)[0];
  if (/^\d{2,4}$/.test(code)) return code;
  const option = [...document.querySelectorAll("#category-options option")].find((o) => o.value.includes(raw));
  return option ? option.value.split(" ")[0] : raw;
}

document.getElementById("f-category").addEventListener("change", checkDuplicates);

async function checkDuplicates() {
  const params = new URLSearchParams({ category_code: categoryCode() });
  const lat = document.getElementById("f-lat").value;
  const lon = document.getElementById("f-lon").value;
  const address = document.getElementById("f-address").value.trim();
  if (lat && lon) { params.set("lat", lat); params.set("lon", lon); }
  if (address) params.set("address_text", address);
  if (!params.get("category_code") || (!lat && !address)) return;
  try {
    const dups = await api(`/api/incidents/similar?${params}`);
    const list = document.getElementById("dup-list");
    list.replaceChildren(...(dups.length ? dups.map((d) => el("li", {}, `${d.number} ${d.category_label} ${d.address_text} · ${localTime(d.reported_at)}`))
      : [el("li", { class: "muted" }, "未发现重复警情")]));
  } catch { /* category still being typed */ }
}

form.addEventListener("submit", async (event) => {
  if (event.submitter?.value === "cancel") return;
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  const body = {
    category_code: categoryCode(),
    caller_phone: data.caller_phone.trim(),
    caller_name: data.caller_name.trim(),
    address_text: data.address_text.trim(),
    description: data.description.trim(),
  };
  if (data.priority) body.priority = Number(data.priority);
  if (data.address_id) body.address_id = Number(data.address_id);
  else if (data.lat && data.lon) { body.lat = Number(data.lat); body.lon = Number(data.lon); }
  try {
    const incident = await api("/api/incidents", { method: "POST", body, headers: { "Idempotency-Key": crypto.randomUUID() } });
    dialog.close();
    if (pin) { pin.remove(); pin = null; }
    toast(`已接警 ${incident.number}`);
    await reloadQueue();
    await select(incident.id);
  } catch (error) {
    document.getElementById("intake-error").textContent = error.message;
  }
});

// --- keyboard -------------------------------------------------------------------------------
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (dialog.open || callDialog.open) return;
  if (typing) { if (event.key === "Escape") document.activeElement.blur(); return; }
  if (event.key === "n" || event.key === "N") { event.preventDefault(); openIntake(); }
  else if ((event.key === "c" || event.key === "C") && CAN_DISPATCH) { event.preventDefault(); openCall(); }
  else if (event.key === "/") { event.preventDefault(); document.getElementById("queue-search").focus(); }
  else if ((event.key === "d" || event.key === "D" || event.key === "Enter") && state.recs.length) { event.preventDefault(); dispatchPicked(); }
  else if (/^[1-9]$/.test(event.key) && state.recs.length >= Number(event.key)) { state.pick = Number(event.key) - 1; renderDetail(); }
  else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    const index = state.incidents.findIndex((i) => i.id === state.selected);
    const next = state.incidents[Math.min(state.incidents.length - 1, Math.max(0, index + (event.key === "ArrowDown" ? 1 : -1)))];
    if (next) select(next.id);
  } else if (event.key === "Escape") { state.selected = null; renderQueue(); }
});

document.getElementById("new-incident")?.addEventListener("click", openIntake);
document.getElementById("queue-search").addEventListener("input", refresh);
document.getElementById("queue-priority").addEventListener("change", refresh);

setInterval(() => {
  for (const timer of document.querySelectorAll(".timer[data-since]")) {
    const seconds = (Date.now() - new Date(timer.dataset.since).getTime()) / 1000;
    timer.textContent = duration(seconds);
    timer.classList.toggle("late", seconds > 600);
  }
}, 1000);
// --- 一键呼 ----------------------------------------------------------------------------------
const callDialog = document.getElementById("call-dialog");
const callForm = document.getElementById("call-form");
const scopeRows = { unit: "c-unit-row", beat: "c-beat-row", radius: "c-radius-row" };
function showScopeRows() {
  const scope = document.getElementById("c-scope").value;
  for (const [key, id] of Object.entries(scopeRows)) document.getElementById(id).hidden = key !== scope;
}
async function openCall() {
  document.getElementById("c-unit").replaceChildren(...state.units.filter((u) => u.status !== "off_duty")
    .map((u) => el("option", { value: u.id }, `${u.call_sign}（${u.status_label}）`)));
  const beats = await api("/api/places/beats").catch(() => []);
  document.getElementById("c-beat").replaceChildren(...beats.map((b) => el("option", { value: b.id }, b.name)));
  document.getElementById("call-error").textContent = "";
  showScopeRows();
  callDialog.showModal();
  document.getElementById("c-message").select();
}
document.getElementById("c-scope").addEventListener("change", showScopeRows);
callForm.addEventListener("submit", async (event) => {
  if (event.submitter?.value === "cancel") return;
  event.preventDefault();
  const data = Object.fromEntries(new FormData(callForm));
  const body = { scope: data.scope, message: data.message.trim(), ack_within_s: Number(data.ack_within_s) };
  if (data.scope === "unit") body.unit_id = Number(data.unit_id);
  if (data.scope === "beat") body.beat_id = Number(data.beat_id);
  if (data.scope === "radius") {
    if (!state.point) { document.getElementById("call-error").textContent = "请先选中警情或在地图上点击一个位置"; return; }
    [body.lat, body.lon] = state.point;
    body.radius_m = Number(data.radius_m);
  }
  if (state.selected) body.incident_id = state.selected;
  try {
    const call = await api("/api/calls", { method: "POST", body });
    callDialog.close();
    toast(`已呼叫 ${call.targets.length} 个单元`);
    state.calls = [call, ...state.calls.filter((c) => c.id !== call.id)].slice(0, 6);
    renderCalls();
  } catch (error) { document.getElementById("call-error").textContent = error.message; }
});
document.getElementById("call-btn")?.addEventListener("click", openCall);

setInterval(refreshStaleness, 15000);
reloadSites();
connectLive({ onSnapshot, onEvent, onState: onLiveState });
export { ACK_LIMIT };
