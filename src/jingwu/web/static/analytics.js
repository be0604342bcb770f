// The analyst's pages: the board, a review with its charts, records, hotspots, beat plans.
import { api, el, toast } from "/static/api.js";

const page = document.querySelector("[data-page]")?.dataset.page;
const params = new URLSearchParams(location.search);
const WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

function today() {
  const now = new Date(Date.now() + 8 * 3600 * 1000);  // the station's clock: Asia/Shanghai
  return now.toISOString().slice(0, 10);
}

function fmt(value, unit) {
  if (value === null || value === undefined) return "—";
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return unit === "%" ? `${text}%` : text;
}

function chart(id, option) {
  const node = document.getElementById(id);
  if (!node || !window.echarts) return null;
  const instance = window.echarts.getInstanceByDom(node) || window.echarts.init(node);
  instance.setOption(option, true);
  return instance;
}

// ---- board -----------------------------------------------------------------------------
async function board() {
  const form = document.getElementById("period");
  // the station's headline figures are annual: by default the last twelve months
  const end = params.get("end") || today();
  const yearBefore = new Date(`${end}T00:00:00Z`);
  yearBefore.setUTCFullYear(yearBefore.getUTCFullYear() - 1);
  yearBefore.setUTCDate(yearBefore.getUTCDate() + 1);
  form.start.value = params.get("start") || yearBefore.toISOString().slice(0, 10);
  form.end.value = end;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", `?start=${form.start.value}&end=${form.end.value}`);
    loadBoard(form.start.value, form.end.value);
  });
  loadBoard(form.start.value, form.end.value);
}

async function loadBoard(start, end) {
  const box = document.getElementById("tiles");
  try {
    const data = await api(`/api/analytics/board?start=${start}&end=${end}`);
    document.getElementById("period-label").textContent =
      `${data.period_label}，对比 ${data.year_before_start} — ${data.year_before_end}`;
    box.replaceChildren(...data.tiles.map(tile));
    data.tiles.forEach((t) => {
      if (t.spark.some((v) => v !== null)) {
        chart(`spark-${t.key}`, {
          grid: { left: 2, right: 2, top: 4, bottom: 2 },
          xAxis: { type: "category", show: false, data: t.spark_labels },
          yAxis: { type: "value", show: false, scale: true },
          tooltip: { trigger: "axis" },
          series: [{ type: "line", data: t.spark, smooth: true, symbol: "none",
                     areaStyle: { opacity: 0.15 }, lineStyle: { width: 2 } }],
        });
      }
    });
  } catch (error) {
    box.replaceChildren(el("p", { class: "bad" }, error.message));
  }
}

function tile(t) {
  const arrow = { up: "▲", down: "▼", flat: "＝", none: "" }[t.trend];
  const tone = t.good === null ? "flat" : t.good ? "good" : "bad";
  const change = t.change === null ? "" : t.change_unit === "pp"
    ? `${t.change > 0 ? "+" : ""}${t.change.toFixed(1)} 个百分点`
    : `${t.change > 0 ? "+" : ""}${t.change.toFixed(0)}%`;
  const body = [
    el("h3", {}, t.label),
    t.value === null
      ? el("div", { class: "nodata", title: t.note }, "暂无数据")
      : el("div", { class: "value" }, fmt(t.value, t.unit), el("small", {}, t.unit === "%" ? "" : t.unit)),
    el("div", { class: `yoy ${tone}` },
      t.value === null ? t.note : `去年同期 ${fmt(t.year_before, t.unit)} ${arrow} ${change}`),
    el("div", { class: "spark", id: `spark-${t.key}` }),
  ];
  return t.records_url
    ? el("a", { class: "tile", href: t.records_url, "data-key": t.key }, ...body)
    : el("div", { class: "tile", "data-key": t.key }, ...body);
}

// ---- review ----------------------------------------------------------------------------
async function review() {
  const form = document.getElementById("review-form");
  form.kind.value = params.get("kind") || "day";
  form.on.value = params.get("on") || today();
  const load = () => {
    const query = `on=${form.on.value}`;
    history.replaceState(null, "", `?kind=${form.kind.value}&${query}`);
    document.getElementById("pdf").href = `/api/analytics/reviews/${form.kind.value}/export?format=pdf&${query}`;
    document.getElementById("xlsx").href = `/api/analytics/reviews/${form.kind.value}/export?format=xlsx&${query}`;
    loadReview(form.kind.value, form.on.value);
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  document.getElementById("save")?.addEventListener("click", async () => {
    try {
      await api(`/api/analytics/reviews/${form.kind.value}?on=${form.on.value}`, { method: "POST" });
      toast("已生成并保存 / saved");
    } catch (error) { toast(error.message, "error"); }
  });
  load();
}

async function loadReview(kind, on) {
  let r;
  try {
    r = await api(`/api/analytics/reviews/${kind}?on=${on}&fresh=true`);
  } catch (error) { toast(error.message, "error"); return; }
  document.getElementById("review-title").textContent = r.title;
  document.getElementById("review-period").textContent =
    `${r.period_label} · 本期 ${r.total} 起 · 上期 ${r.previous_total} 起 · 去年同期 ${r.year_before_total} 起`;
  document.getElementById("highlights").replaceChildren(
    ...r.highlights.map((line) => el("li", { class: line.includes("显著") ? "unusual" : "" }, line)));
  chart("chart-trend", {
    title: { text: "警情走势", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
    legend: { right: 10, data: ["本期", "上期"] },
    xAxis: { type: "category", data: r.trend_labels }, yAxis: { type: "value" },
    series: [{ name: "本期", type: "bar", data: r.trend },
             { name: "上期", type: "line", data: r.trend_previous, smooth: true }],
  });
  chart("chart-hours", {
    title: { text: "24小时分布", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
    legend: { right: 10, data: ["本期", "前几期平均"] },
    xAxis: { type: "category", data: [...Array(24).keys()].map((h) => `${h}时`) }, yAxis: { type: "value" },
    series: [{ name: "本期", type: "line", data: r.hours, smooth: true, areaStyle: { opacity: 0.2 } },
             { name: "前几期平均", type: "line", data: r.hours_reference, smooth: true, lineStyle: { type: "dashed" } }],
  });
  const heat = [];
  r.heat.forEach((row, d) => row.forEach((v, h) => heat.push([h, d, v])));
  chart("chart-heat", {
    title: { text: `星期×时段热力（近${r.heat_days}天）`, textStyle: { fontSize: 14 } },
    tooltip: {}, grid: { left: 50, bottom: 60 },
    xAxis: { type: "category", data: [...Array(24).keys()] }, yAxis: { type: "category", data: WEEKDAYS },
    visualMap: { min: 0, max: Math.max(1, ...heat.map((x) => x[2])), orient: "horizontal", left: "center", bottom: 0,
                 inRange: { color: ["#fff7f3", "#c0392b"] } },
    series: [{ type: "heatmap", data: heat }],
  });
  chart("chart-categories", {
    title: { text: "警情类别", textStyle: { fontSize: 14 } }, tooltip: {}, grid: { left: 80 },
    legend: { right: 10, data: ["本期", "上期"] },
    yAxis: { type: "category", data: r.categories.map((c) => c.name), inverse: true }, xAxis: { type: "value" },
    series: [{ name: "本期", type: "bar", data: r.categories.map((c) => ({ value: c.count, itemStyle: c.unusual ? { color: "#c0392b" } : {} })) },
             { name: "上期", type: "bar", data: r.categories.map((c) => c.previous) }],
  });
  chart("chart-beats", {
    title: { text: "警务区", textStyle: { fontSize: 14 } }, tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: r.beats.map((b) => ({ name: b.name, value: b.count })) }],
  });
  chart("chart-history", {
    title: { text: "近12期趋势", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: r.history_labels }, yAxis: { type: "value" },
    series: [{ type: "line", data: r.history, smooth: true }],
  });
  const head = ["类别", "本期", "上期", "环比", "去年同期", "同比", "基线", "p值"];
  const pct = (v) => (v === null ? "—" : `${v > 0 ? "+" : ""}${v.toFixed(0)}%`);
  document.getElementById("categories").replaceChildren(
    el("tr", {}, ...head.map((h) => el("th", {}, h))),
    ...[...r.categories, ...r.subtypes].map((c) => el("tr", { class: c.unusual ? "unusual" : "" },
      el("td", {}, el("a", { href: c.records_url }, (c.unusual ? "⚠ " : "") + c.name)),
      el("td", {}, String(c.count)), el("td", {}, String(c.previous)), el("td", {}, pct(c.change_prev_pct)),
      el("td", {}, String(c.year_before)), el("td", {}, pct(c.change_yoy_pct)),
      el("td", {}, c.baseline.toFixed(1)), el("td", {}, c.p_value.toPrecision(2)))));
  document.getElementById("communities").replaceChildren(
    el("tr", {}, ...["名称", "本期", "占比", "上期", "去年同期", "主要类别"].map((h) => el("th", {}, h))),
    ...r.communities.map((c) => el("tr", {},
      el("td", {}, c.name), el("td", {}, String(c.count)), el("td", {}, `${c.share_pct}%`),
      el("td", {}, String(c.previous)), el("td", {}, String(c.year_before)), el("td", {}, c.top_category))));
}

// ---- records ---------------------------------------------------------------------------
async function records() {
  let current = Number(params.get("page") || 1);
  const load = async () => {
    params.set("page", String(current));
    history.replaceState(null, "", `?${params}`);
    try {
      const data = await api(`/api/analytics/records?${params}`);
      document.getElementById("records-title").textContent = `${data.label} · 记录`;
      document.getElementById("records-count").textContent =
        `${params.get("start") || ""} — ${params.get("end") || ""}，共 ${data.total} 条`;
      const rows = data.items.map((r) => el("tr", {},
        el("td", {}, r.url ? el("a", { href: r.url }, r.title) : r.title),
        el("td", {}, r.place), el("td", {}, r.detail)));
      document.getElementById("records").replaceChildren(
        el("tr", {}, el("th", {}, "记录"), el("th", {}, "地点"), el("th", {}, "详情")),
        ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "3" }, "本期没有记录 — 换一个时间段试试"))]));
      document.getElementById("page").textContent = `${data.page} / ${Math.max(1, Math.ceil(data.total / data.per_page))}`;
      document.getElementById("next").disabled = data.page * data.per_page >= data.total;
      document.getElementById("prev").disabled = data.page <= 1;
    } catch (error) { toast(error.message, "error"); }
  };
  document.getElementById("prev").addEventListener("click", () => { current -= 1; load(); });
  document.getElementById("next").addEventListener("click", () => { current += 1; load(); });
  load();
}

// ---- hotspots --------------------------------------------------------------------------
async function hotspots() {
  const map = window.L.map("map", { preferCanvas: true });
  const tiles = document.querySelector("[data-tile-url]")?.dataset.tileUrl;
  if (tiles) window.L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  const areas = window.L.layerGroup().addTo(map);
  const cells = window.L.layerGroup().addTo(map);
  try {
    const communities = await api("/api/places/communities");
    const bounds = [];
    for (const c of communities) {
      const ring = (c.boundary || []).map(([lon, lat]) => [lat, lon]);
      bounds.push(...ring);
      window.L.polygon(ring, { color: "#24476b", weight: 1.5, fill: false }).bindTooltip(c.name).addTo(areas);
    }
    if (bounds.length) map.fitBounds(bounds);
  } catch (error) { map.setView([28.222, 112.836], 14); }
  const form = document.getElementById("hotspot-form");
  const load = async () => {
    try {
      const data = await api(`/api/analytics/hotspots?model=${form.model.value}&horizon=${form.horizon.value}`);
      cells.clearLayers();
      const top = Math.max(...data.cells.map((c) => c.score), 1e-12);
      for (const c of data.cells) {
        window.L.rectangle([[c.south, c.west], [c.north, c.east]], {
          stroke: false, fillColor: "#c0392b", fillOpacity: 0.15 + 0.6 * (c.score / top),
        }).bindTooltip(`第${c.rank}位 · 风险 ${c.score.toPrecision(3)}`).addTo(cells);
      }
      document.getElementById("hotspot-info").textContent =
        `依据 ${data.events_used} 起历史警情 · ${data.cells.length} 个 ${data.cell_m} 米方格` +
        (data.params.theta !== undefined ? ` · θ=${data.params.theta} ω=${data.params.omega_per_day}/天 σ=${data.params.sigma_m}米` : "");
    } catch (error) { toast(error.message, "error"); }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
}

// ---- beats -----------------------------------------------------------------------------
async function beats() {
  const form = document.getElementById("beats-form");
  const load = async () => {
    try {
      const data = await api(`/api/analytics/beats?k=${form.k.value}&days=${form.days.value}&grid=${form.grid.value}`);
      document.getElementById("plans").replaceChildren(...data.plans.map((p) => el("div", { class: "plan" },
        el("h3", {}, p.method),
        el("div", {}, `均衡度 ${p.balance} · 紧凑度 ${p.compactness} · 平均出警距离 ${p.mean_travel_m} 米 · 时段差异 ${p.profile_spread}`),
        el("div", { class: p.moved.length ? "moved" : "muted" },
          p.name === "today" ? "现行方案" : p.moved.length ? `调整：${p.moved.join("、")}` : "与现行方案相同"),
        ...p.beats.map((b) => el("div", { class: "beat" },
          el("strong", {}, b.name), ` ${b.workload} 起（${b.share_pct}%）· 高峰 ${b.peak_hour} 时 · 跨度 ${b.diameter_m} 米`
            + (b.cells ? ` · ${b.cells} 格` : ""),
          el("div", { class: "small" }, b.communities.join("、")))))));
    } catch (error) { toast(error.message, "error"); }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
}

({ board, review, records, hotspots, beats })[page]?.();
