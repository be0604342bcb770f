// The fire crew's phone: the order with its run card, water and pre-plan; 收到 and the strip;
// a quick training entry. Steps taken offline wait in localStorage and go when the signal returns.
import { api, el, localTime, toast } from "./api.js";

const unitSelect = document.getElementById("my-unit");
const ordersBox = document.getElementById("orders");
const queueState = document.getElementById("queue-state");
const QUEUE_KEY = "jingwu-fire-phone-queue";
const STEPS = [["acknowledged", "收到"], ["en_route", "出发"], ["on_scene", "到场"], ["reported", "报告完毕"]];
const NEXT = { dispatched: "acknowledged", acknowledged: "en_route", en_route: "on_scene", on_scene: "reported" };
let known = new Set();

const unitId = () => Number(unitSelect?.value);
const pending = () => JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
const savePending = (items) => {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
  queueState.textContent = items.length ? `离线待发送 ${items.length} 条` : "";
};

async function send(path, body) {
  try { await api(path, { method: "POST", body }); return true; }
  catch (error) {
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

async function fireContext(incident) {
  try {
    const plan = await api(`/api/fire/incidents/${incident.id}/plan`);
    return el("div", { class: "fire-context" },
      el("p", {}, el("strong", {}, plan.run_card.name), plan.run_card.note ? ` · ${plan.run_card.note}` : ""),
      plan.water_sources.length ? el("p", {}, "水源：", plan.water_sources.slice(0, 3).map((w) => `${w.name} ${Math.round(w.distance_m)}m`).join("；")) : "",
      ...plan.hazard_plans.map((h) => el("p", { class: "hazard" }, `预案·${h.site_name}：${h.hazards}`)));
  } catch { return ""; }
}

async function orderCard(incident) {
  const mine = incident.assignments.find((a) => a.unit_id === unitId());
  const status = mine?.status ?? "dispatched";
  const next = NEXT[status];
  const feedback = el("textarea", { rows: 3, placeholder: "处置情况（报告完毕时必填）", maxlength: 4000 });
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
  return el("article", { class: `order p${incident.priority}` },
    el("header", {}, el("strong", {}, incident.category_label), " ", incident.number),
    el("p", { class: "addr" }, incident.address_text || "（坐标）"),
    el("p", { class: "words" }, incident.description || ""),
    el("p", { class: "muted" }, "接警 ", localTime(incident.reported_at), mine?.instruction ? ` · ${mine.instruction}` : ""),
    await fireContext(incident),
    status === "dispatched"
      ? el("button", { class: "big-ack", onclick: () => step("acknowledged") }, "收到")
      : el("div", { class: "strip" }, ...STEPS.slice(1).map(([value, label]) =>
          el("button", { class: value === next ? "primary" : "", disabled: value !== next, onclick: () => step(value) }, label))),
    status === "on_scene" ? feedback : "");
}

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

async function refresh() {
  if (!unitSelect) return;
  try {
    const orders = (await api("/api/incidents/assigned"))
      .filter((i) => i.assignments.some((a) => a.unit_id === unitId() && !["reported", "cancelled"].includes(a.status)));
    if (orders.some((i) => !known.has(i.id))) ring();
    known = new Set(orders.map((i) => i.id));
    const cards = await Promise.all(orders.map(orderCard));
    ordersBox.replaceChildren(...(cards.length ? cards : [el("p", { class: "empty" }, "暂无出动指令。保持在线，新指令会响铃并振动。")]));
    await flushPending();
  } catch (error) {
    queueState.textContent = `连接中断（${error.message}），正在重试…`;
  }
}

document.getElementById("training-form")?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target;
  const f = new FormData(form);
  try {
    await api("/api/fire/training", { method: "POST", body: {
      member_ids: [Number(form.dataset.member)], kind: f.get("kind"), title: String(f.get("title")).trim(), minutes: Number(f.get("minutes")) } });
    toast("训练已记录");
    form.reset();
  } catch (error) { toast(error.message, "error"); }
});

unitSelect?.addEventListener("change", () => { known = new Set(); refresh(); });
window.addEventListener("online", flushPending);
savePending(pending());
await refresh();
setInterval(refresh, 4000);
