// The crew's phone: orders with a sound, one big 收到, a status strip, position, feedback.
// Steps taken while offline wait in localStorage and are sent when the signal returns.
import { api, el, localTime, toast } from "./api.js";

const unitSelect = document.getElementById("my-unit");
const ordersBox = document.getElementById("orders");
const queueState = document.getElementById("queue-state");
const QUEUE_KEY = "jingwu-terminal-queue";
let known = new Set();
let watchId = null;

const unitId = () => Number(unitSelect?.value);
const pending = () => JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
const savePending = (items) => {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
  queueState.textContent = items.length ? `离线待发送 ${items.length} 条` : "";
};

function ring() {
  try {
    const audio = new AudioContext();
    const osc = audio.createOscillator();
    osc.frequency.value = 880;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.4);
  } catch { /* no audio permission yet */ }
  navigator.vibrate?.([300, 100, 300]);
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
  const items = pending();
  const left = [];
  for (const item of items) {
    try { await api(item.path, { method: "POST", body: item.body }); }
    catch (error) { if (!error.status) left.push(item); }
  }
  savePending(left);
}

const STEPS = [
  ["acknowledged", "收到"], ["en_route", "出发"], ["on_scene", "到场"], ["reported", "报告完毕"],
];
const NEXT = { dispatched: "acknowledged", acknowledged: "en_route", en_route: "on_scene", on_scene: "reported" };

function orderCard(incident) {
  const mine = incident.assignments.find((a) => a.unit_id === unitId());
  const status = mine?.status ?? "dispatched";
  const next = NEXT[status];
  const feedback = el("textarea", { rows: 3, placeholder: "处置情况（报告完毕时必填）", maxlength: 4000, id: `fb-${incident.id}` });
  const step = async (target) => {
    const body = { status: target, unit_id: unitId() };
    if (target === "reported") {
      body.feedback = feedback.value.trim();
      if (!body.feedback) { toast("请填写处置情况", "error"); return; }
    }
    if (await send(`/api/incidents/${incident.id}/progress`, body)) {
      toast(STEPS.find(([v]) => v === target)[1]);
      await refresh();
    }
  };
  const mapLink = incident.lat !== null
    ? el("a", { class: "route", href: `/map#${incident.lat},${incident.lon}` }, "查看路线")
    : "";
  return el("article", { class: `order p${incident.priority}` },
    el("header", {}, el("strong", {}, incident.category_label), " ", incident.number),
    el("p", { class: "addr" }, incident.address_text || "（坐标）", " ", mapLink),
    el("p", { class: "words" }, incident.description || ""),
    el("p", { class: "muted" }, "接警 ", localTime(incident.reported_at)),
    status === "dispatched"
      ? el("button", { class: "big-ack", onclick: () => step("acknowledged") }, "收到")
      : el("div", { class: "strip" }, ...STEPS.slice(1).map(([value, label]) =>
          el("button", { class: value === next ? "primary" : "", disabled: value !== next, onclick: () => step(value) }, label))),
    status === "on_scene" ? feedback : "",
  );
}

async function refresh() {
  if (!unitSelect) return;
  try {
    const orders = (await api("/api/incidents/assigned"))
      .filter((i) => i.assignments.some((a) => a.unit_id === unitId() && a.status !== "reported" && a.status !== "cancelled"));
    const fresh = orders.filter((i) => !known.has(i.id));
    if (fresh.length && known.size >= 0 && document.visibilityState !== "hidden") ring();
    known = new Set(orders.map((i) => i.id));
    ordersBox.replaceChildren(...(orders.length ? orders.map(orderCard)
      : [el("p", { class: "empty" }, "暂无指令。保持在线，新指令会响铃并振动。")]));
    await flushPending();
  } catch (error) {
    queueState.textContent = `连接中断（${error.message}），正在重试…`;
  }
}

document.getElementById("gps-toggle")?.addEventListener("click", () => {
  const label = document.getElementById("gps-state");
  if (watchId !== null) { navigator.geolocation.clearWatch(watchId); watchId = null; label.textContent = "定位已关闭"; return; }
  if (!navigator.geolocation) { label.textContent = "此设备不支持定位"; return; }
  watchId = navigator.geolocation.watchPosition(async (pos) => {
    const body = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: pos.coords.accuracy };
    if (pos.coords.heading !== null && !Number.isNaN(pos.coords.heading)) body.heading = pos.coords.heading % 360;
    if (pos.coords.speed !== null && !Number.isNaN(pos.coords.speed)) body.speed_mps = pos.coords.speed;
    if (await send(`/api/units/${unitId()}/positions`, body)) label.textContent = `已上报 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
  }, (error) => { label.textContent = `定位失败：${error.message}`; }, { enableHighAccuracy: true, maximumAge: 5000 });
  label.textContent = "定位开启中…";
});

unitSelect?.addEventListener("change", () => { known = new Set(); refresh(); });
window.addEventListener("online", flushPending);
savePending(pending());
await refresh();
setInterval(refresh, 3000);
