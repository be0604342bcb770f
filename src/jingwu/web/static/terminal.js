// The crew's phone: orders arrive live with a sound, one big 收到, a status strip, position,
// feedback with photos, the route. Steps taken while offline wait in localStorage and are sent
// when the signal returns; the live feed replays whatever was missed while away.
import { api, el, localTime, toast } from "./api.js";
import { connectLive, debounce } from "./live.js";

const unitSelect = document.getElementById("my-unit");
const ordersBox = document.getElementById("orders");
const callsBox = document.getElementById("calls");
const queueState = document.getElementById("queue-state");
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const QUEUE_KEY = "jingwu-terminal-queue";
let known = null;
let watchId = null;
let orders = [];
let calls = [];
const drafts = new Map();

const unitId = () => Number(unitSelect?.value);
const pending = () => JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
const savePending = (items) => {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
  queueState.textContent = items.length ? `离线待发送 ${items.length} 条` : "";
};

function ring() {
  try {
    const audio = new AudioContext();
    for (const [at, freq] of [[0, 880], [0.25, 660], [0.5, 880]]) {
      const osc = audio.createOscillator();
      osc.frequency.value = freq;
      osc.connect(audio.destination);
      osc.start(audio.currentTime + at);
      osc.stop(audio.currentTime + at + 0.2);
    }
  } catch { /* no audio permission yet */ }
  navigator.vibrate?.([300, 100, 300]);
  document.body.classList.add("ringing");
  setTimeout(() => document.body.classList.remove("ringing"), 1500);
}

async function send(path, body) {
  try {
    await api(path, { method: "POST", body });
    return true;
  } catch (error) {
    if (error.status) { toast(error.message, "error"); return false; }
    savePending([...pending(), { path, body }]);
    toast("网络中断，已暂存，恢复后自动发送", "warn");
    return false;
  }
}

async function flushPending() {
  const left = [];
  for (const item of pending()) {
    try { await api(item.path, { method: "POST", body: item.body }); }
    catch (error) { if (!error.status) left.push(item); }
  }
  savePending(left);
}

async function uploadPhotos(incidentId, files) {
  for (const file of files) {
    const form = new FormData();
    form.append("incident_id", incidentId);
    form.append("unit_id", unitId());
    form.append("file", file);
    const response = await fetch("/api/attachments", { method: "POST", body: form, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error(body?.error?.message ?? `照片上传失败 (${response.status})`);
    }
  }
}

const STEPS = [
  ["acknowledged", "收到"], ["en_route", "出发"], ["on_scene", "到场"], ["reported", "报告完毕"],
];
const NEXT = { dispatched: "acknowledged", acknowledged: "en_route", en_route: "on_scene", on_scene: "reported" };

function orderCard(incident) {
  const mine = incident.assignments.find((a) => a.unit_id === unitId());
  const status = mine?.status ?? "dispatched";
  const next = NEXT[status];
  const draft = drafts.get(incident.id) ?? { text: "", files: [] };
  drafts.set(incident.id, draft);
  const feedback = el("textarea", { rows: 3, placeholder: "处置情况（报告完毕时必填）", maxlength: 4000, id: `fb-${incident.id}`,
    oninput: (e) => { draft.text = e.target.value; } });
  feedback.value = draft.text;
  const photos = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment", multiple: true, id: `ph-${incident.id}`,
    onchange: (e) => { draft.files = [...e.target.files]; } });
  const step = async (target) => {
    const body = { status: target, unit_id: unitId() };
    if (target === "reported") {
      body.feedback = draft.text.trim();
      if (!body.feedback) { toast("请填写处置情况", "error"); return; }
      try { await uploadPhotos(incident.id, draft.files); } catch (error) { toast(error.message, "error"); return; }
    }
    if (await send(`/api/incidents/${incident.id}/progress`, body)) {
      toast(STEPS.find(([v]) => v === target)[1]);
      if (target === "reported") drafts.delete(incident.id);
      await reloadOrders();
    }
  };
  const route = el("p", { class: "route-line muted", id: `route-${incident.id}` }, "路线计算中…");
  api(`/api/incidents/${incident.id}/route?unit_id=${unitId()}`)
    .then((r) => route.replaceChildren(r.explanation, " ", el("a", { class: "route", href: `/map#route=${incident.id}` }, "查看路线")))
    .catch(() => route.replaceChildren(el("a", { class: "route", href: `/map#route=${incident.id}` }, "查看路线")));
  return el("article", { class: `order p${incident.priority}`, "data-incident": incident.id },
    el("header", {}, el("strong", {}, incident.category_label), " ", incident.number,
      el("span", { class: "order-status" }, STEPS.find(([v]) => v === status)?.[1] ?? "新指令")),
    el("p", { class: "addr" }, incident.address_text || "（坐标）"),
    route,
    el("p", { class: "words" }, mine?.instruction || incident.description || ""),
    el("p", { class: "muted" }, "接警 ", localTime(incident.reported_at)),
    status === "dispatched"
      ? el("button", { class: "big-ack", onclick: () => step("acknowledged") }, "收到")
      : el("div", { class: "strip" }, ...STEPS.slice(1).map(([value, label]) =>
          el("button", { class: value === next ? "primary" : "", disabled: value !== next, onclick: () => step(value) }, label))),
    status === "on_scene" ? el("div", { class: "report" }, feedback, el("label", {}, "现场照片（可多张）", photos)) : "",
  );
}

function renderOrders() {
  const mine = orders.filter((i) => i.assignments.some((a) => a.unit_id === unitId() && !["reported", "cancelled"].includes(a.status)));
  const ids = new Set(mine.map((i) => i.id));
  if (known !== null && [...ids].some((id) => !known.has(id))) ring();
  known = ids;
  ordersBox.replaceChildren(...(mine.length ? mine.map(orderCard)
    : [el("p", { class: "empty" }, "暂无指令。保持在线，新指令会响铃并振动。")]));
}

function renderCalls() {
  const open = calls.filter((c) => c.targets.some((t) => t.unit_id === unitId() && !t.acknowledged_at));
  callsBox.replaceChildren(...open.map((call) => el("article", { class: "call-card", "data-call": call.id },
    el("header", {}, "呼叫 · ", call.scope_label, " · ", localTime(call.created_at)),
    el("p", { class: "words" }, call.message),
    el("button", { class: "big-ack", onclick: async () => {
      if (await send(`/api/calls/${call.id}/ack`, { unit_id: unitId() })) { toast("已应答"); await reloadCalls(); }
    } }, "收到"))));
}

async function reloadOrders() {
  if (!unitSelect) return;
  try {
    orders = await api("/api/incidents/assigned");
    renderOrders();
    await flushPending();
  } catch (error) {
    queueState.textContent = `连接中断（${error.message}），正在重试…`;
  }
}
async function reloadCalls() {
  try { calls = await api("/api/calls/mine"); renderCalls(); } catch { /* the feed retries */ }
}
const ordersSoon = debounce(reloadOrders, 100);
const callsSoon = debounce(reloadCalls, 100);

if (unitSelect) {
  connectLive({
    onSnapshot(snapshot) {
      orders = snapshot.orders ?? [];
      calls = snapshot.calls ?? [];
      renderOrders();
      renderCalls();
      flushPending();
    },
    onEvent(frame) {
      if (frame.type === "call.issued" && frame.payload.target_unit_ids.includes(unitId())) ring();
      if (frame.type.startsWith("call.")) callsSoon();
      else if (frame.type.startsWith("incident.")) ordersSoon();
    },
    onState(value) {
      const badge = document.getElementById("live-state");
      badge.dataset.state = value;
      badge.textContent = { live: "● 在线", connecting: "连接中…", offline: "○ 信号中断，重连中…", login: "请重新登录" }[value] ?? value;
      if (value === "live") flushPending();
    },
  });
}

document.getElementById("gps-toggle")?.addEventListener("click", () => {
  const label = document.getElementById("gps-state");
  const toggle = document.getElementById("gps-toggle");
  if (watchId !== null) {
    navigator.geolocation.clearWatch(watchId); watchId = null;
    label.textContent = "定位已关闭"; toggle.textContent = "开启定位"; return;
  }
  if (!navigator.geolocation) { label.textContent = "此设备不支持定位"; return; }
  watchId = navigator.geolocation.watchPosition(async (pos) => {
    const body = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: pos.coords.accuracy };
    if (pos.coords.heading !== null && !Number.isNaN(pos.coords.heading)) body.heading = pos.coords.heading % 360;
    if (pos.coords.speed !== null && !Number.isNaN(pos.coords.speed)) body.speed_mps = pos.coords.speed;
    if (await send(`/api/units/${unitId()}/positions`, body)) label.textContent = `已上报 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
  }, (error) => { label.textContent = `定位失败：${error.message}`; }, { enableHighAccuracy: true, maximumAge: 5000 });
  label.textContent = "定位开启中…";
  toggle.textContent = "关闭定位";
});

unitSelect?.addEventListener("change", () => { known = null; renderOrders(); renderCalls(); });
window.addEventListener("online", flushPending);
savePending(pending());
