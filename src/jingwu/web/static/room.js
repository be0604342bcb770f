// The duty room: the six seats and handover, video patrol rounds and findings, key-site watch.
import { api, el, localTime, toast } from "./api.js";
import { connectLive, debounce } from "./live.js";

const LEVELS = ["平稳", "较多", "拥挤", "饱和"];

async function loadSeats() {
  const [seats, handovers] = await Promise.all([api("/api/seats"), api("/api/seats/handovers")]);
  document.getElementById("seats").replaceChildren(...seats.map((s) => el("li", {},
    el("strong", {}, s.name), " ",
    s.on_duty.length ? s.on_duty.map((d) => `${d.officer_name}（至 ${localTime(d.ends_at)}）`).join("、") : el("span", { class: "muted" }, "未排班"))));
  const select = document.getElementById("h-seat");
  if (!select.options.length) select.replaceChildren(...seats.map((s) => el("option", { value: s.code }, s.name)));
  const names = Object.fromEntries(seats.map((s) => [s.code, s.name]));
  document.getElementById("handovers").replaceChildren(...handovers.slice(0, 20).map((h) => el("li", {},
    el("time", {}, localTime(h.at)), " ", names[h.seat_code] ?? h.seat_code, "：",
    `未结警情 ${h.open_items.incident_total ?? 0} 起，未应答呼叫 ${(h.open_items.calls ?? []).length} 个，告警 ${(h.open_items.alerts ?? []).length} 条`,
    h.note ? ` · ${h.note}` : "", h.accepted_at ? el("span", { class: "muted" }, " · 已接班") : "")));
}

async function loadRounds() {
  let rounds;
  try { rounds = await api("/api/video/rounds"); } catch { return; }
  const [cameras, findings] = await Promise.all([api("/api/places/cameras"), api("/api/video/views?findings_only=true")]);
  const byId = Object.fromEntries(cameras.map((c) => [c.id, c]));
  document.getElementById("rounds-empty").hidden = rounds.length > 0;
  document.getElementById("rounds").replaceChildren(...rounds.map((r) => el("li", { class: r.due ? "due" : "" },
    el("strong", {}, r.name), " ", el("span", { class: "muted" }, `每 ${r.every_minutes} 分钟 · ${r.due ? "待巡查" : `上次 ${localTime(r.last_view_at)}`}`),
    el("div", { class: "cams" }, ...r.camera_ids.map((id) => {
      const finding = el("input", { placeholder: "发现（无则留空）", maxlength: 2000 });
      return el("div", { class: "cam-row" }, byId[id]?.name ?? `#${id}`, finding,
        el("button", { onclick: async () => {
          try {
            await api("/api/video/views", { method: "POST", body: { camera_id: id, round_id: r.id, finding: finding.value.trim() } });
            toast("已记录"); loadRounds();
          } catch (error) { toast(error.message, "error"); }
        } }, "已查看"));
    })))));
  document.getElementById("findings").replaceChildren(...findings.slice(0, 15).map((v) => el("li", {},
    el("time", {}, localTime(v.viewed_at)), " ", byId[v.camera_id]?.name ?? "", "：", v.finding, " ",
    v.incident_id ? el("a", { href: `/incidents/${v.incident_id}` }, "已转警情")
      : findingAction(v))));
}

const FINDING_CATEGORIES = [["0205", "人员聚集"], ["0201", "打架斗殴"], ["0202", "扰乱公共秩序"], ["0301", "交通事故"], ["0101", "盗窃"]];
function findingAction(v) {
  const category = el("select", {}, ...FINDING_CATEGORIES.map(([code, name]) => el("option", { value: code }, name)));
  return el("span", { class: "row-form" }, category, el("button", { onclick: async () => {
          try { const made = await api(`/api/video/views/${v.id}/incident`, { method: "POST", body: { category_code: category.value } });
            toast("已转为警情"); location.href = `/incidents/${made.incident_id}`; }
          catch (error) { toast(error.message, "error"); }
        } }, "转警情"));
}

async function loadSites() {
  const sites = await api("/api/sites/board");
  document.getElementById("sites").replaceChildren(...sites.map((s) => {
    const level = el("select", {}, ...LEVELS.map((l) => el("option", { value: l, selected: l === s.crowd_level }, l)));
    const note = el("input", { maxlength: 500, placeholder: "说明" });
    return el("tr", { class: `site-${s.status}${s.report_due ? " due" : ""}` },
      el("td", {}, s.name, ...s.plans.map((p) => el("div", { class: "muted" }, p.name))),
      el("td", {}, s.crowd_level), el("td", {}, s.note || "—"),
      el("td", {}, localTime(s.updated_at), s.report_due ? el("div", { class: "error" }, "待上报") : ""),
      el("td", { class: "row-form" }, level, note, el("button", { onclick: async () => {
        try { await api(`/api/sites/${s.id}/reports`, { method: "POST", body: { crowd_level: level.value, note: note.value.trim() } }); toast("已上报"); }
        catch (error) { toast(error.message, "error"); }
      } }, "上报")));
  }));
}

document.getElementById("handover-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(event.target));
  try { await api("/api/seats/handovers", { method: "POST", body: { seat_code: data.seat_code, note: data.note.trim() } }); toast("已交班"); event.target.reset(); loadSeats(); }
  catch (error) { toast(error.message, "error"); }
});

const sitesSoon = debounce(loadSites, 200);
const seatsSoon = debounce(loadSeats, 200);
const roundsSoon = debounce(loadRounds, 200);
connectLive({
  onSnapshot() { loadSeats(); loadRounds(); loadSites(); },
  onEvent(frame) {
    if (frame.type === "keysite.reported") sitesSoon();
    else if (frame.type === "seat.handover") seatsSoon();
    else if (frame.type === "video.finding") roundsSoon();
  },
});
