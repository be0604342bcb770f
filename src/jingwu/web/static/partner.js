// The partner portal: only this agency's requests; acknowledge, arrive, resolve.
import { api, el, toast, localTime } from "/static/api.js";

const STATUS = { sent: "待签收", acknowledged: "已签收", arrived: "已到场", resolved: "已办结", cancelled: "已撤回" };
const STEPS = [["acknowledge", "签收", "acknowledged_at", "ack_due_at"], ["arrive", "到场", "arrived_at", "arrive_due_at"], ["resolve", "办结", "resolved_at", "resolve_due_at"]];
const NEXT = { sent: ["acknowledge", "arrive", "resolve"], acknowledged: ["arrive", "resolve"], arrived: ["resolve"] };
const box = document.getElementById("requests");
const openOnly = document.getElementById("open-only");

function card(r) {
  const allowed = NEXT[r.status] ?? [];
  return el("div", { class: `item${r.late.length ? " overdue" : ""}`, "data-request": r.id },
    el("strong", {}, r.title), " ", el("span", { class: "sub" }, `${r.number} · ${r.category} · ${STATUS[r.status] ?? r.status}`),
    el("div", {}, r.description),
    el("div", { class: "sub" }, `地点：${r.place_text || "—"}`),
    el("div", { class: "deadlines" }, ...STEPS.map(([step, label, doneField, dueField]) =>
      el("div", { class: r.late.includes(step) ? "late" : (r[doneField] ? "done" : "") },
        `${label}时限`, el("br"), localTime(r[dueField]), r[doneField] ? el("div", {}, `✓ ${localTime(r[doneField])}`) : null))),
    el("div", { class: "steps" }, ...STEPS.map(([step, label]) =>
      el("button", { class: allowed[0] === step ? "primary" : "", disabled: !allowed.includes(step), onclick: () => act(r, step, label) }, label))));
}

async function act(request, step, label) {
  try {
    await api(`/api/partner/requests/${request.id}/${step}`, { method: "POST", body: { note: "" } });
    toast(`${request.number} 已${label}`);
    await load();
  } catch (error) {
    toast(error.message, "error");
  }
}

async function load() {
  try {
    const rows = await api(`/api/partner/requests?open=${openOnly.checked}`);
    box.replaceChildren(...(rows.length ? rows.map(card) : [el("p", { class: "empty" }, "暂无协作请求。派出所吹哨时会出现在这里。")]));
  } catch (error) {
    toast(error.message, "error");
  }
}

openOnly.addEventListener("change", load);
load();
setInterval(load, 30000);
