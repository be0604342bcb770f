// Case pages: every form with data-api posts its fields as JSON, data-upload posts a file;
// the page reloads to show the new state (the server renders it, escaped).
import { api, toast, ApiError } from "/static/api.js";

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// a datetime-local value is Beijing time
function localToIso(value) {
  return value ? `${value.length === 16 ? value + ":00" : value}+08:00` : undefined;
}

function formJson(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.disabled || field.closest("fieldset[hidden]")) continue;
    if (field.type === "file" || field.type === "submit" || field.type === "button") continue;
    if (field.multiple) {
      const values = [...field.selectedOptions].map((o) => o.value);
      body[field.name] = "numbers" in field.dataset ? values.map(Number) : values;
      continue;
    }
    if (field.type === "checkbox") { body[field.name] = field.checked; continue; }
    const value = field.value.trim();
    if (value === "") continue;
    if ("number" in field.dataset) body[field.name] = Number(value);
    else if ("local" in field.dataset) body[field.name] = localToIso(value);
    else body[field.name] = value;
  }
  return body;
}

function explain(error) {
  if (error instanceof ApiError) {
    const fields = error.details?.errors?.map((e) => e.message).join("；");
    return fields ? `${error.message}（${fields}）` : error.message;
  }
  return String(error);
}

function done(message, go) {
  toast(message);
  setTimeout(() => (go ? (location.href = go) : location.reload()), 400);
}

for (const form of document.querySelectorAll("form[data-api]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const result = await api(form.dataset.api, { method: "POST", body: formJson(form) });
      const go = form.dataset.go && result?.id ? form.dataset.go.replace("{id}", result.id) : null;
      done("已保存 / saved", go);
    } catch (error) {
      toast(explain(error), "error");
      if (button) button.disabled = false;
    }
  });
}

for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.dataset.upload, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRF-Token": csrf },
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => null);
    if (response.ok) done(`已上传 ${data.original_name}`);
    else toast(data?.error?.message ?? `HTTP ${response.status}`, "error");
  });
}

// request kind switches which fieldset counts
for (const select of document.querySelectorAll("[data-kind-switch]")) {
  const form = select.closest("form");
  const sync = () => {
    for (const set of form.querySelectorAll("fieldset[data-for]")) set.hidden = set.dataset.for !== select.value;
  };
  select.addEventListener("change", sync);
  sync();
}

const page = document.querySelector(".case-page");
const caseId = page?.dataset.caseId;
const NEEDS_REASON = new Set(["withdrawn", "not_filed"]);

for (const button of document.querySelectorAll("[data-move]")) {
  button.addEventListener("click", async () => {
    const to = button.dataset.move;
    let reason = "";
    if (NEEDS_REASON.has(to)) {
      reason = prompt(`${button.textContent.trim()}：请写明理由`) ?? "";
      if (!reason.trim()) return;
    }
    try {
      await api(`/api/cases/${caseId}/transition`, { method: "POST", body: { to, reason } });
      done(`已变更为「${button.textContent.trim()}」`);
    } catch (error) {
      toast(explain(error), "error");
    }
  });
}

for (const button of document.querySelectorAll("[data-located]")) {
  button.addEventListener("click", async () => {
    try {
      await api(`/api/cases/${caseId}/persons/${button.dataset.located}/status`, {
        method: "POST",
        body: { status: "located" },
      });
      done("已定位");
    } catch (error) {
      toast(explain(error), "error");
    }
  });
}

const dialog = document.getElementById("arrest-dialog");
for (const button of document.querySelectorAll("[data-arrest]")) {
  button.addEventListener("click", () => {
    dialog.querySelector("[name=person_id]").value = button.dataset.arrest;
    dialog.querySelector("#arrest-name").textContent = button.dataset.name;
    dialog.showModal();
  });
}
dialog?.querySelector("[data-close]")?.addEventListener("click", () => dialog.close());
