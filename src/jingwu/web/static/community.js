// The community officer's day on the phone: what is due today, quick forms, address lookup.
import { api, el, toast, localTime } from "/static/api.js";

const app = document.getElementById("community-app");
const canManage = app.dataset.canManage === "yes";
const RISK = { low: "低", medium: "中", high: "高" };
const STATUS = { registered: "已登记", mediating: "调解中", resolved: "已化解", failed: "调解不成", escalated: "已升级" };
const WHISTLE = { sent: "待签收", acknowledged: "已签收", arrived: "已到场", resolved: "已办结", cancelled: "已撤回" };

function list(id, items, render, empty) {
  const box = document.querySelector(`#${id} .list`);
  box.replaceChildren(...(items.length ? items.map(render) : [el("p", { class: "empty" }, empty)]));
}

function visitCard(p) {
  return el("div", { class: `item${p.overdue ? " overdue" : ""}`, "data-key-person": p.id },
    el("strong", {}, p.name), " ", el("span", { class: "sub" }, `${p.category} · ${p.control_level}级管控`),
    el("div", { class: "sub" }, p.overdue ? `已逾期 ${p.overdue_days} 天` : `应走访 ${localTime(p.next_visit_due)}`),
    canManage ? el("div", { class: "row" }, el("button", { class: "primary", onclick: () => openCheckIn(p) }, "走访签到")) : null);
}

function callbackCard(c) {
  return el("div", { class: `item${c.overdue ? " overdue" : ""}` },
    el("a", { href: `/community/disputes/${c.dispute_id}` }, c.number), " ",
    el("span", { class: "sub" }, c.summary),
    el("div", { class: "sub" }, `回访时限 ${localTime(c.due_at)}`));
}

function disputeCard(d) {
  return el("div", { class: "item", "data-dispute": d.id },
    el("a", { href: `/community/disputes/${d.id}` }, d.number), " ",
    el("span", { class: "sub" }, `${d.kind} · 风险${RISK[d.risk_level] ?? d.risk_level} · ${STATUS[d.status] ?? d.status}`),
    el("div", {}, d.summary.slice(0, 80)),
    el("div", { class: "sub" }, d.address_text));
}

function whistleCard(w) {
  return el("div", { class: `item${w.late.length ? " overdue" : ""}` },
    el("strong", {}, w.title), " ", el("span", { class: "sub" }, `${w.agency_name} · ${WHISTLE[w.status] ?? w.status}`),
    el("div", { class: "sub" }, `办结时限 ${localTime(w.resolve_due_at)}${w.late.length ? " · 已超时" : ""}`));
}

async function load() {
  try {
    const day = await api("/api/community/today");
    document.getElementById("today-date").textContent = day.date;
    for (const [key, id] of [["visits_due", "n-visits"], ["callbacks_due", "n-callbacks"], ["disputes_open", "n-disputes"], ["whistles_open", "n-whistles"]]) {
      document.getElementById(id).textContent = day.counts[key];
    }
    list("visits", day.visits_due, visitCard, "今天没有到期的走访。");
    list("callbacks", day.callbacks_due, callbackCard, "今天没有到期的回访。");
    list("disputes", day.disputes_open, disputeCard, "没有在办纠纷。有群众来访时点「登记纠纷」。");
    list("whistles", day.whistles_open, whistleCard, "没有未办结的协作请求。");
  } catch (error) {
    toast(error.message, "error");
  }
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
      () => resolve(null), { timeout: 5000, maximumAge: 60000 });
  });
}

let checkInFor = null;
function openCheckIn(person) {
  checkInFor = person;
  const dialog = document.getElementById("checkin-form");
  dialog.querySelector(".who-name").textContent = person.name;
  dialog.querySelector("form").reset();
  dialog.showModal();
}

function onSubmit(id, handler) {
  const dialog = document.getElementById(id);
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "ok") return;
    const form = dialog.querySelector("form");
    try {
      await handler(new FormData(form), form);
      form.reset();
      await load();
    } catch (error) {
      toast(error.message, "error");
      dialog.showModal();
    }
  });
}

onSubmit("checkin-form", async (data) => {
  const body = { note: data.get("note"), in_control: data.get("in_control") === "on" };
  if (data.get("gps") === "on") Object.assign(body, (await position()) ?? {});
  await api(`/api/community/key-persons/${checkInFor.id}/check-ins`, { method: "POST", body });
  toast(`已签到：${checkInFor.name}`);
});

onSubmit("dispute-form", async (data) => {
  const parties = String(data.get("parties")).split(/[，,、\s]+/).filter(Boolean).map((name) => ({ name }));
  const made = await api("/api/community/disputes", {
    method: "POST",
    body: {
      kind: data.get("kind"), risk_level: data.get("risk_level"), summary: data.get("summary"),
      address_text: data.get("address_text"), community_id: Number(data.get("community_id")), parties,
    },
  });
  toast(`已登记纠纷 ${made.number}`);
});

onSubmit("resident-form", async (data) => {
  const made = await api("/api/community/residents", {
    method: "POST",
    body: {
      name: data.get("name"), id_number: data.get("id_number") || null, phone: data.get("phone"),
      kind: data.get("kind"), tenant: data.get("tenant") === "on", community_id: Number(data.get("community_id")),
    },
  });
  toast(`已登记：${made.name} ${made.id_number ?? ""}`);
});

onSubmit("work-form", async (data) => {
  await api("/api/community/work", {
    method: "POST",
    body: { kind: data.get("kind"), title: data.get("title"), note: data.get("note"), people_reached: Number(data.get("people_reached") || 0) },
  });
  toast("已记录");
});

document.getElementById("lookup-go").addEventListener("click", async () => {
  const text = document.querySelector("#lookup-form input[name=text]").value.trim();
  const box = document.getElementById("lookup-results");
  if (!text) return;
  try {
    const found = await api(`/api/community/address/match?text=${encodeURIComponent(text)}`);
    const pick = (c) => {
      document.querySelector("#dispute-form input[name=address_text]").value = c.full_text;
      toast(`已选择：${c.full_text}`);
    };
    box.replaceChildren(...found.candidates.map((c, i) =>
      el("li", { class: i === 0 && found.sure ? "sure" : "", "data-address": c.address_id, onclick: () => pick(c) },
        el("span", { class: "score" }, `${Math.round(c.score * 100)}%`), c.full_text)));
    const hint = document.getElementById("lookup-hint");
    hint.textContent = !found.candidates.length ? "没有找到，请换个写法。"
      : (found.sure ? "已确定，点击地址即可使用。" : "不确定，请从下列地址中选择：");
  } catch (error) {
    toast(error.message, "error");
  }
});

for (const button of document.querySelectorAll("[data-open]")) {
  button.addEventListener("click", () => document.getElementById(button.dataset.open).showModal());
}
load();
setInterval(load, 60000);
