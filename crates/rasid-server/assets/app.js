// rasid's dashboard: a map (SVG over admin-1 boundaries), a timeline that filters the map
// when brushed, filters, an event list, search, and an event panel showing the evidence in
// its original script. Plain DOM and SVG, no library; every text from the data is set with
// textContent, never parsed as HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

const I18N = {
  en: {
    searchPlaceholder: "Search articles (e.g. تنظيم)", search: "Search", filters: "Filters",
    actor: "Actor", type: "Event type", area: "Area (governorate)", since: "From", until: "To",
    apply: "Apply", reset: "Reset", timeline: "Events per period (drag to select dates)",
    events: "Events", more: "More", any: "any", lang: "العربية", loading: "Loading…",
    shown: (n, more) => `${n} events shown${more ? " (more available)" : ""}`,
    hits: (n, q) => `${n} articles match “${q}”`, noEvents: "No events match these filters.",
    date: "Date", location: "Location", actor1: "Actor 1", actor2: "Actor 2",
    fatalities: "Fatalities", confidence: "Confidence", subType: "Sub-event type",
    precision: "precision", sources: "Sources", evidence: "Evidence", kind: "Kind",
    keys: { actor1: "actor 1", actor2: "actor 2", place: "place", date: "date", repair: "evasion spelling" },
    unknown: "unknown", open: "open", clearBrush: "double-click to clear",
    alerts: "Alerts", asOf: "As of", noAlerts: "No alerts on this day.",
    kinds: { rising: "rising", fatalities: "fatalities", first_activity: "first activity", spread: "spread" },
    alertNumbers: (a) => `${a.observed} observed, ${a.expected.toFixed(1)} expected, p = ${a.probability.toExponential(1)}`,
  },
  ar: {
    searchPlaceholder: "ابحث في المقالات (مثلاً: تنظيم)", search: "بحث", filters: "التصفية",
    actor: "الفاعل", type: "نوع الحدث", area: "المنطقة (المحافظة)", since: "من", until: "إلى",
    apply: "تطبيق", reset: "إعادة ضبط", timeline: "الأحداث حسب الفترة (اسحب لتحديد التواريخ)",
    events: "الأحداث", more: "المزيد", any: "الكل", lang: "English", loading: "جارٍ التحميل…",
    shown: (n, more) => `عدد الأحداث المعروضة: ${n}${more ? " (يوجد المزيد)" : ""}`,
    hits: (n, q) => `عدد المقالات المطابقة لـ«${q}»: ${n}`, noEvents: "لا أحداث تطابق هذه التصفية.",
    date: "التاريخ", location: "المكان", actor1: "الفاعل الأول", actor2: "الفاعل الثاني",
    fatalities: "القتلى", confidence: "الثقة", subType: "النوع الفرعي", precision: "الدقة",
    sources: "المصادر", evidence: "الدليل", kind: "الصنف",
    keys: { actor1: "الفاعل الأول", actor2: "الفاعل الثاني", place: "المكان", date: "التاريخ", repair: "تهجئة مموّهة" },
    unknown: "غير معروف", open: "فتح", clearBrush: "انقر مرتين للإلغاء",
    alerts: "التنبيهات", asOf: "بتاريخ", noAlerts: "لا تنبيهات في هذا اليوم.",
    kinds: { rising: "تصاعد", fatalities: "قتلى", first_activity: "نشاط أول", spread: "انتشار" },
    alertNumbers: (a) => `المرصود ${a.observed}، المتوقع ${a.expected.toFixed(1)}، p = ${a.probability.toExponential(1)}`,
  },
};

const TYPES = [
  ["Battles", "#c0392b", "معارك"],
  ["Explosions/Remote violence", "#e67e22", "انفجارات/عنف عن بعد"],
  ["Violence against civilians", "#8e44ad", "عنف ضد المدنيين"],
  ["Protests", "#2980b9", "احتجاجات"],
  ["Riots", "#16a085", "أعمال شغب"],
  ["Strategic developments", "#7f8c8d", "تطورات استراتيجية"],
];
const typeColor = (t) => (TYPES.find((x) => x[0] === t) || [0, "#555"])[1];
const typeName = (t) => {
  const row = TYPES.find((x) => x[0] === t);
  return row && state.lang === "ar" ? row[2] : t;
};

const state = {
  lang: localStorage.getItem("rasid-lang") || "en",
  filters: {},
  brush: null, // [since, until] from the timeline
  events: [],
  cursor: null,
  selected: null,
  view: null, // map viewBox [x, y, w, h]
  fit: null,
  boundaries: null,
  alerts: [],
  alert: null, // the alert focused: its key and event ids
};

const t = (k) => I18N[state.lang][k];

function el(tag, attrs = {}, ...children) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.setAttribute("class", v);
    else if (k === "style") e.style.cssText = v; // CSSOM: allowed by the page's CSP
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function api(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  const url = q.toString() ? `${path}?${q}` : path;
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await r.json();
  if (!r.ok) throw new Error(`${body.error}: ${body.detail}`);
  return body;
}

function status(msg) { $("status").textContent = msg; }

// ---------- language ----------
function applyLang() {
  const ar = state.lang === "ar";
  document.documentElement.lang = state.lang;
  document.documentElement.dir = ar ? "rtl" : "ltr";
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
  $("lang-toggle").textContent = t("lang");
  for (const sel of [$("f-actor"), $("f-type")]) sel.options[0].textContent = t("any");
  for (const o of $("f-type").options) if (o.value) o.textContent = typeName(o.value);
  legend();
  if (state.selected && !$("panel").hidden) openEvent(state.selected);
}

function legend() {
  const box = $("legend");
  box.replaceChildren(...TYPES.map(([name, color]) =>
    el("div", {}, el("span", { class: "swatch", style: `background:${color}` }), el("span", { text: typeName(name) }))));
}

// ---------- filters ----------
function readFilters() {
  state.filters = {
    actor: $("f-actor").value, type: $("f-type").value, admin1: $("f-admin1").value.trim(),
    since: $("f-since").value, until: $("f-until").value,
  };
}

function eventParams() {
  const f = { ...state.filters };
  if (state.brush) { f.since = state.brush[0]; f.until = state.brush[1]; }
  return f;
}

async function loadFilters() {
  const actors = await api("/api/actors");
  const sel = $("f-actor");
  for (const a of actors.filter((a) => a.events > 0)) sel.append(el("option", { value: a.id, text: `${a.name} (${a.events})` }));
  for (const [name] of TYPES) $("f-type").append(el("option", { value: name, text: typeName(name) }));
  let timer = null;
  $("f-admin1").addEventListener("input", () => {
    clearTimeout(timer);
    const q = $("f-admin1").value.trim();
    if (!q) return;
    timer = setTimeout(async () => {
      const places = await api("/api/places", { q, limit: 10 });
      $("places").replaceChildren(...places.filter((p) => p.admin1).map((p) =>
        el("option", { value: p.admin1, text: `${p.name_ar || p.name} — ${p.kind}, ${p.country}` })));
    }, 150);
  });
}

// ---------- map ----------
const K = 100; // SVG units per degree of longitude at the map's mid-latitude
const LAT0 = 30;
const project = (lon, lat) => [lon * K * Math.cos((LAT0 * Math.PI) / 180), -lat * K];

function ringPath(ring) {
  let d = "";
  ring.forEach(([lon, lat], i) => {
    const [x, y] = project(lon, lat);
    d += `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return `${d}Z`;
}

function drawBoundaries() {
  const g = el("svg:g", { id: "admin" });
  for (const f of state.boundaries.features) {
    const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
    const d = polys.map((p) => p.map(ringPath).join("")).join("");
    const path = el("svg:path", { d, class: "admin", "fill-rule": "evenodd" });
    path.dataset.name = f.properties.name;
    path.append(el("svg:title", { text: `${f.properties.name}${f.properties.name_ar ? " — " + f.properties.name_ar : ""}` }));
    g.append(path);
  }
  $("map").append(g, el("svg:g", { id: "dots" }));
}

function setView(v) {
  state.view = v;
  $("map").setAttribute("viewBox", v.map((n) => n.toFixed(2)).join(" "));
  const scale = v[2] / $("map").clientWidth || 1;
  for (const c of document.querySelectorAll("#dots circle")) c.setAttribute("r", (c.dataset.r * scale).toFixed(2));
}

function fitTo(points) {
  let [w, s, e, n] = [25, 12, 65, 42]; // the region, when there is nothing to fit
  if (points.length) {
    // The middle 90% of the events: a few placed far away must not shrink the region.
    const q = (arr, f) => arr[Math.min(arr.length - 1, Math.max(0, Math.round(f * (arr.length - 1))))];
    const lons = points.map((p) => p[0]).sort((a, b) => a - b);
    const lats = points.map((p) => p[1]).sort((a, b) => a - b);
    [w, e, s, n] = [q(lons, 0.05), q(lons, 0.95), q(lats, 0.05), q(lats, 0.95)];
    const pad = Math.max(1, (e - w) * 0.15, (n - s) * 0.15);
    w -= pad; e += pad; s -= pad; n += pad;
  }
  const [x0, y0] = project(w, n);
  const [x1, y1] = project(e, s);
  const box = $("map").getBoundingClientRect();
  const aspect = box.width / Math.max(box.height, 1) || 1.6;
  let vw = x1 - x0, vh = y1 - y0;
  if (vw / vh < aspect) { const nw = vh * aspect; return [x0 - (nw - vw) / 2, y0, nw, vh]; }
  const nh = vw / aspect;
  return [x0, y0 - (nh - vh) / 2, vw, nh];
}

function drawDots() {
  const g = $("dots");
  const placed = state.events.filter((e) => e.event.location && Number.isFinite(e.event.location.lat));
  g.replaceChildren(...placed
    .slice()
    .sort((a, b) => (b.event.fatalities || 0) - (a.event.fatalities || 0))
    .map((e) => {
      const [x, y] = project(e.event.location.lon, e.event.location.lat);
      // Area grows with the log of fatalities, capped: one war-wide toll must not hide the map.
      const r = Math.min(4 + 2.5 * Math.log2(1 + (e.event.fatalities || 0)), 26);
      const c = el("svg:circle", {
        cx: x.toFixed(2), cy: y.toFixed(2), r, fill: typeColor(e.event.event_type),
        class: `event-dot${state.selected === e.id ? " selected" : ""}`, "data-id": e.id, tabindex: 0,
        onclick: () => openEvent(e.id), onkeydown: (ev) => { if (ev.key === "Enter") openEvent(e.id); },
      });
      c.dataset.r = r;
      c.append(el("svg:title", { text: `${e.event.date.start} · ${typeName(e.event.event_type)} · ${e.event.location.name || ""}` }));
      return c;
    }));
  const hot = new Set(placed.map((e) => e.event.location.admin1));
  for (const p of document.querySelectorAll("#admin path")) p.classList.toggle("hot", hot.has(p.dataset.name));
  state.fit = fitTo(placed.map((e) => [e.event.location.lon, e.event.location.lat]));
  setView(state.fit);
}

function mapInteraction() {
  const svg = $("map");
  const pointers = new Map();
  let last = null;
  const toSvg = (cx, cy) => {
    const b = svg.getBoundingClientRect();
    const [x, y, w, h] = state.view;
    return [x + ((cx - b.left) / b.width) * w, y + ((cy - b.top) / b.height) * h];
  };
  const zoom = (f, cx, cy) => {
    const [x, y, w, h] = state.view;
    const [px, py] = cx === undefined ? [x + w / 2, y + h / 2] : toSvg(cx, cy);
    setView([px - (px - x) * f, py - (py - y) * f, w * f, h * f]);
  };
  svg.addEventListener("wheel", (e) => { e.preventDefault(); zoom(e.deltaY > 0 ? 1.2 : 1 / 1.2, e.clientX, e.clientY); }, { passive: false });
  svg.addEventListener("pointerdown", (e) => {
    if (e.target.classList.contains("event-dot")) return;
    svg.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, [e.clientX, e.clientY]);
    last = null;
  });
  svg.addEventListener("pointermove", (e) => {
    if (!pointers.has(e.pointerId)) return;
    const prev = pointers.get(e.pointerId);
    pointers.set(e.pointerId, [e.clientX, e.clientY]);
    if (pointers.size === 1) {
      const b = svg.getBoundingClientRect();
      const [x, y, w, h] = state.view;
      setView([x - ((e.clientX - prev[0]) / b.width) * w, y - ((e.clientY - prev[1]) / b.height) * h, w, h]);
    } else if (pointers.size === 2) {
      const [a, c] = [...pointers.values()];
      const dist = Math.hypot(a[0] - c[0], a[1] - c[1]);
      if (last) zoom(last / dist, (a[0] + c[0]) / 2, (a[1] + c[1]) / 2);
      last = dist;
    }
  });
  const up = (e) => { pointers.delete(e.pointerId); last = null; };
  svg.addEventListener("pointerup", up);
  svg.addEventListener("pointercancel", up);
  $("zoom-in").onclick = () => zoom(1 / 1.5);
  $("zoom-out").onclick = () => zoom(1.5);
  $("zoom-fit").onclick = () => setView(state.fit);
  window.addEventListener("resize", () => { if (state.boundaries) drawDots(); });
}

// ---------- timeline ----------
async function loadTimeline() {
  const f = { ...state.filters };
  const span = f.since && f.until ? (Date.parse(f.until) - Date.parse(f.since)) / 864e5 : Infinity;
  const interval = span <= 120 ? "day" : "week";
  const series = await api("/api/stats/timeseries", { ...f, group: "type", interval });
  drawTimeline(series);
}

// With a date range chosen (by hand, or by focusing an alert), every period of it, so that
// quiet periods show as gaps: a rise after a quiet baseline must look like one. Without
// one, the periods with events only (a single misdated event must not stretch the axis
// over decades).
function fillPeriods(periods, interval) {
  if (!state.filters.since || !state.filters.until) return periods;
  const day = (s) => new Date(`${s}T00:00:00Z`);
  const iso = (d) => d.toISOString().slice(0, 10);
  const monday = (d) => { const m = new Date(d); m.setUTCDate(m.getUTCDate() - ((m.getUTCDay() + 6) % 7)); return m; };
  let first = day(state.filters.since);
  let last = day(state.filters.until);
  if (!first || !last || Number.isNaN(first.getTime()) || Number.isNaN(last.getTime()) || first > last) return periods;
  if (interval === "week") { first = monday(first); last = monday(last); }
  const step = interval === "week" ? 7 : 1;
  if ((last - first) / 864e5 / step > 2000) return periods;
  const all = new Set(periods);
  for (let d = first; d <= last; d = new Date(d.getTime() + step * 864e5)) all.add(iso(d));
  return [...all].sort();
}

function drawTimeline(series) {
  const svg = $("timeline");
  const W = svg.clientWidth || 600, H = 130, top = 6, bottom = 18;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const periods = fillPeriods([...new Set(series.buckets.map((b) => b.period))].sort(), series.interval);
  const rtl = state.lang === "ar";
  if (!periods.length) { svg.replaceChildren(); return; }
  const stacks = new Map(periods.map((p) => [p, []]));
  for (const b of series.buckets) stacks.get(b.period).push(b);
  const max = Math.max(...[...stacks.values()].map((s) => s.reduce((n, b) => n + b.events, 0)));
  const bw = W / periods.length;
  const xOf = (i) => (rtl ? W - (i + 1) * bw : i * bw);
  const bars = [];
  periods.forEach((p, i) => {
    let y = H - bottom;
    for (const b of stacks.get(p)) {
      const h = ((H - bottom - top) * b.events) / max;
      y -= h;
      bars.push(el("svg:rect", { x: xOf(i) + bw * 0.1, y, width: Math.max(bw * 0.8, 1), height: h, fill: typeColor(b.key) },
        el("svg:title", { text: `${p} · ${typeName(b.key)} · ${b.events}` })));
    }
  });
  const labels = [0, Math.floor(periods.length / 2), periods.length - 1]
    .filter((v, i, a) => a.indexOf(v) === i)
    .map((i) => {
      const x = Math.min(Math.max(xOf(i) + bw / 2, 34), W - 34);
      return el("svg:text", { x, y: H - 4, class: "axis", "text-anchor": "middle", text: periods[i] });
    });
  const brushRect = el("svg:rect", { class: "brush", y: top, height: H - top - bottom, width: 0, x: 0, visibility: "hidden" });
  svg.replaceChildren(...bars, ...labels, brushRect);
  if (state.brush) {
    // A brush set from outside (an alert): show the periods it covers.
    const i = periods.findIndex((p) => p >= state.brush[0]);
    let j = periods.length - 1;
    while (j > 0 && periods[j] > state.brush[1]) j--;
    if (i >= 0 && i <= j) {
      brushRect.setAttribute("x", rtl ? xOf(j) : xOf(i));
      brushRect.setAttribute("width", (j - i + 1) * bw);
      brushRect.setAttribute("visibility", "visible");
    }
  }
  // Brushing: drag across periods to filter the map and the list by those dates.
  let start = null;
  const idx = (clientX) => {
    const b = svg.getBoundingClientRect();
    let i = Math.floor(((clientX - b.left) / b.width) * periods.length);
    if (rtl) i = periods.length - 1 - i;
    return Math.max(0, Math.min(periods.length - 1, i));
  };
  const show = (a, b) => {
    const [i, j] = [Math.min(a, b), Math.max(a, b)];
    const x = rtl ? xOf(j) : xOf(i);
    brushRect.setAttribute("x", x);
    brushRect.setAttribute("width", (j - i + 1) * bw);
    brushRect.setAttribute("visibility", "visible");
  };
  svg.onpointerdown = (e) => { svg.setPointerCapture(e.pointerId); start = idx(e.clientX); show(start, start); };
  svg.onpointermove = (e) => { if (start !== null) show(start, idx(e.clientX)); };
  svg.onpointerup = (e) => {
    if (start === null) return;
    const end = idx(e.clientX);
    const [i, j] = [Math.min(start, end), Math.max(start, end)];
    start = null;
    const last = new Date(periods[j]);
    if (series.interval === "week") last.setUTCDate(last.getUTCDate() + 6);
    state.brush = [periods[i], last.toISOString().slice(0, 10)];
    $("brush-label").textContent = `${state.brush[0]} → ${state.brush[1]} (${t("clearBrush")})`;
    loadEvents();
  };
  svg.ondblclick = () => { state.brush = null; $("brush-label").textContent = ""; brushRect.setAttribute("visibility", "hidden"); loadEvents(); };
}

// ---------- events ----------
async function loadEvents(more = false) {
  status(t("loading"));
  try {
    const page = await api("/api/events", { ...eventParams(), limit: 300, cursor: more ? state.cursor : null });
    state.events = more ? state.events.concat(page.events) : page.events;
    state.cursor = page.next_cursor;
    drawDots();
    drawList();
    status(state.events.length ? t("shown")(state.events.length, !!state.cursor) : t("noEvents"));
  } catch (err) {
    status(String(err.message || err));
  }
}

function actorName(a) { return a ? a.name : "—"; }

function drawList() {
  $("list-title").textContent = t("events");
  $("more").hidden = !state.cursor;
  $("results").replaceChildren(...state.events.map((e) => {
    const v = e.event;
    const inAlert = state.alert && state.alert.ids.has(e.id);
    return el("li", { class: `event-row${state.selected === e.id ? " selected" : ""}${inAlert ? " in-alert" : ""}`, "data-id": e.id, onclick: () => openEvent(e.id) },
      el("div", { class: "what" }, el("span", { class: "swatch", style: `background:${typeColor(v.event_type)}` }), " ", typeName(v.event_type)),
      el("div", { text: `${actorName(v.actor1)}${v.actor2 ? " → " + actorName(v.actor2) : ""}` }),
      el("div", { class: "meta", text: `${v.date.start} · ${(v.location && (v.location.name || v.location.admin1)) || t("unknown")}${v.fatalities ? " · ✝ " + v.fatalities : ""} · ${e.sources.length} ${t("sources")}` }));
  }));
}

// ---------- search ----------
async function runSearch(q) {
  status(t("loading"));
  const res = await api("/api/search", { q, limit: 50 });
  $("list-title").textContent = t("hits")(res.hits.length, q);
  $("more").hidden = true;
  $("results").replaceChildren(...res.hits.map((h) =>
    el("li", { class: "search-hit", "data-article": h.article_id },
      el("div", { class: "what", text: h.title || h.article, dir: "auto" }),
      el("div", { class: "meta", text: h.published || "" }),
      ...h.snippets.map((parts) => el("p", { class: "snippet", dir: h.rtl ? "rtl" : "ltr" },
        ...parts.map((p) => (p.hit ? el("mark", { text: p.text }) : document.createTextNode(p.text))))))));
  status(t("hits")(res.hits.length, q));
}

// ---------- alerts ----------
async function loadAlerts() {
  const res = await api("/api/alerts", { as_of: $("alerts-asof").value || "latest" });
  $("alerts-asof").value = res.as_of;
  state.alerts = res.alerts;
  drawAlerts();
}

function drawAlerts() {
  const ar = state.lang === "ar";
  const rows = state.alerts.map((a) => el("li", {
    class: `alert-row${state.alert && state.alert.key === a.key ? " selected" : ""}`, "data-key": a.key, tabindex: 0,
    title: t("alertNumbers")(a), onclick: () => focusAlert(a), onkeydown: (e) => { if (e.key === "Enter") focusAlert(a); },
  },
  el("span", { class: `badge k-${a.kind}`, text: t("kinds")[a.kind] || a.kind }),
  el("span", { class: "summary", dir: ar ? "rtl" : "ltr", lang: ar ? "ar" : "en", text: ar ? a.summary_ar : a.summary_en })));
  $("alerts").replaceChildren(...(rows.length ? rows : [el("li", { class: "status", text: t("noAlerts") })]));
}

// Focus map, timeline and list on an alert: its actor and governorate over the baseline
// and the recent window (the timeline shows the rise), the recent window brushed (the map
// and the list show the events behind it).
function focusAlert(a) {
  const actor = $("f-actor");
  if (![...actor.options].some((o) => o.value === a.actor)) actor.append(el("option", { value: a.actor, text: a.actor_name }));
  actor.value = a.actor;
  $("f-type").value = a.family || "";
  $("f-admin1").value = a.kind === "spread" || !a.area ? "" : a.area.admin1;
  $("f-since").value = a.baseline_window[0];
  $("f-until").value = a.window[1];
  readFilters();
  state.brush = [a.window[0], a.window[1]];
  state.alert = { key: a.key, ids: new Set(a.event_ids) };
  $("brush-label").textContent = `${state.brush[0]} → ${state.brush[1]} (${t("clearBrush")})`;
  drawAlerts();
  loadEvents();
  loadTimeline();
}

// ---------- event panel ----------
function markedEvidence(src) {
  // Split the sentence at every mark boundary; each piece carries the marks covering it.
  const chars = Array.from(src.evidence);
  const cuts = new Set([0, chars.length]);
  for (const m of src.marks) { cuts.add(Math.min(m.start, chars.length)); cuts.add(Math.min(m.end, chars.length)); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const text = chars.slice(a, b).join("");
    const covering = src.marks.filter((m) => m.start <= a && m.end >= b);
    if (!covering.length) { out.push(document.createTextNode(text)); continue; }
    const span = el("span", { class: covering.map((m) => `m-${m.kind}`).join(" "), text });
    const repair = covering.find((m) => m.kind === "repair");
    const titles = covering.filter((m) => m.kind !== "repair" && m.label).map((m) => `${t("keys")[m.kind] || m.kind}: ${m.label}`);
    if (repair) {
      const word = chars.slice(repair.start, repair.end).join("");
      titles.unshift(`${word} → ${repair.label}`);
      span.dataset.repair = repair.label;
    }
    if (titles.length) span.title = titles.join("\n");
    out.push(span);
  }
  return out;
}

async function openEvent(id) {
  state.selected = id;
  for (const c of document.querySelectorAll(".event-dot, .event-row")) c.classList.toggle("selected", Number(c.dataset.id) === id);
  let d;
  try { d = await api(`/api/events/${id}`); } catch (err) { status(String(err.message || err)); return; }
  const v = d.event;
  const loc = v.location || {};
  $("panel-title").textContent = `${typeName(v.event_type)} — ${v.date.start}`;
  const row = (k, val) => [el("dt", { text: t(k) }), el("dd", { text: val === null || val === undefined || val === "" ? "—" : String(val), dir: "auto" })];
  const fields = el("dl", { class: "fields" },
    ...row("subType", v.sub_event_type),
    ...row("kind", v.kind),
    ...row("actor1", v.actor1 ? `${v.actor1.name} (${v.actor1.id})${v.actor1.suspected ? " ?" : ""}` : null),
    ...row("actor2", v.actor2 ? `${v.actor2.name} (${v.actor2.id})` : null),
    ...row("date", `${v.date.start}${v.date.end !== v.date.start ? " → " + v.date.end : ""} (${t("precision")} ${v.date.time_precision})`),
    ...row("location", [loc.name, loc.name_ar, loc.admin1, loc.country].filter(Boolean).join(" · ") + (loc.geo_precision ? ` (${t("precision")} ${loc.geo_precision})` : "")),
    ...row("fatalities", v.fatalities),
    ...row("confidence", typeof v.confidence === "number" ? v.confidence.toFixed(2) : v.confidence),
    ...row("sources", d.sources.length));
  const sources = d.sources.map((s) => el("div", { class: "source" },
    el("div", { class: "meta" },
      `${s.source || s.article} · ${s.published || ""} `,
      s.url && /^https?:\/\//.test(s.url) ? el("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", text: t("open") }) : null),
    el("p", { class: "evidence", dir: s.rtl ? "rtl" : "ltr", lang: s.rtl ? "ar" : "en" },
      el("span", { class: "context", text: s.before ? "…" + s.before.slice(-200) + " " : "" }),
      el("span", { class: "ev" }, ...markedEvidence(s)),
      el("span", { class: "context", text: s.after ? " " + s.after.slice(0, 200) + "…" : "" }))));
  const keys = el("div", { class: "keys" }, ...["actor1", "actor2", "place", "date", "repair"].map((k) => el("span", { class: `m-${k}`, text: t("keys")[k] })));
  $("panel-body").replaceChildren(fields, el("h3", { text: t("evidence") }), keys, ...sources);
  $("panel").hidden = false;
}

// ---------- start ----------
async function main() {
  $("lang-toggle").onclick = () => { state.lang = state.lang === "ar" ? "en" : "ar"; localStorage.setItem("rasid-lang", state.lang); applyLang(); drawList(); drawAlerts(); loadTimeline(); };
  $("alerts-asof").onchange = () => loadAlerts().catch((err) => status(String(err.message || err)));
  $("apply").onclick = () => { readFilters(); state.brush = null; state.alert = null; drawAlerts(); $("brush-label").textContent = ""; loadEvents(); loadTimeline(); };
  $("reset").onclick = () => {
    for (const id of ["f-actor", "f-type", "f-admin1", "f-since", "f-until"]) $(id).value = "";
    state.alert = null; drawAlerts();
    readFilters(); state.brush = null; $("brush-label").textContent = ""; loadEvents(); loadTimeline();
  };
  $("more").onclick = () => loadEvents(true);
  $("panel-close").onclick = () => { $("panel").hidden = true; };
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("panel").hidden = true; });
  $("search-form").onsubmit = (e) => {
    e.preventDefault();
    const q = $("search").value.trim();
    if (q) runSearch(q).catch((err) => status(String(err.message || err))); else loadEvents();
  };
  applyLang();
  readFilters();
  const bounds = await fetch("/assets/admin1.geojson").then((r) => r.json());
  state.boundaries = bounds;
  drawBoundaries();
  state.view = fitTo([]);
  mapInteraction();
  await Promise.all([loadFilters().then(applyLang), loadEvents(), loadTimeline(), loadAlerts()]);
  document.body.dataset.ready = "1";
}

main().catch((err) => status(String(err.message || err)));
