// One dispute on the phone: parties, mediation on the spot, callback, escalation.
import { api, toast } from "/static/api.js";

const id = document.getElementById("dispute-app").dataset.id;

function bind(formId, build, done) {
  const form = document.getElementById(formId);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const [path, body] = build(data);
      await api(path, { method: "POST", body });
      toast(done);
      setTimeout(() => location.reload(), 400);
    } catch (error) {
      toast(error.message, "error");
    }
  });
}

bind("parties-form", (d) => [`/api/community/disputes/${id}/parties`, {
  parties: String(d.get("parties")).split(/[，,、\s]+/).filter(Boolean).map((name) => ({ name })),
}], "已登记当事人");
bind("mediate-form", (d) => [`/api/community/disputes/${id}/mediations`, {
  place: d.get("place"), notes: d.get("notes"), outcome: d.get("outcome"),
  agreement: d.get("agreement"), callback_days: Number(d.get("callback_days") || 7),
}], "已保存调解");
bind("callback-form", (d) => [`/api/community/disputes/${id}/callbacks`, {
  satisfied: d.get("satisfied") === "on", note: d.get("note"),
}], "已保存回访");
bind("escalate-form", (d) => [`/api/community/disputes/${id}/escalate`, { reason: d.get("reason") }], "已升级为警情");
