// The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against a `rasid serve` on loopback holding the README's sample database.
//
//   RASID_URL=http://127.0.0.1:8390 RASID_TOKEN=... node dashboard.mjs OUT_DIR
//
// Checks: the map shows the seed report's events; clicking one shows its Arabic evidence
// sentence right to left with the evasion spelling marked; searching تنظيم finds it; the
// Arabic interface switches direction; markup in an article is shown as text, never run;
// the page fits a phone's width. Screenshots go to OUT_DIR.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const base = process.env.RASID_URL || "http://127.0.0.1:8390";
const token = process.env.RASID_TOKEN;
const out = process.argv[2] || "../../target/browser";
mkdirSync(out, { recursive: true });

let failures = 0;
function check(ok, what, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ": " + detail : ""}`);
  if (!ok) failures++;
}

async function json(path, init) {
  const r = await fetch(base + path, init);
  return r.json();
}

// The seed report's events, from the API (the page must show the same).
const search = await json(`/api/search?q=${encodeURIComponent("الصوامع")}`);
const seedId = search.hits[0].article_id;
const seed = await json(`/api/articles/${seedId}`);
const seedEvents = [];
for (const id of seed.events) seedEvents.push(await json(`/api/events/${id}`));
const recent = seedEvents.filter((e) => e.event.date.start >= "2024-01-01" && Number.isFinite(e.event.location?.lat));
check(recent.length >= 3, "the seed report has placed events of 2024", String(recent.length));

// An article with markup, posted with the token: it must be shown as text.
if (token) {
  const r = await fetch(base + "/api/articles", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      id: "markup-test", published: "2024-07-23",
      title: "<img src=x onerror=alert(1)>",
      text: "<script>alert('x')</script> قتل ثلاثة مدنيين بقصف مدفعي على مدينة إدلب صباح اليوم.",
    }),
  });
  check(r.status === 200, "an article with markup is accepted through the API", String(r.status));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const dialogs = [];
page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));
let bytes = 0;
page.on("response", async (r) => { try { bytes += (await r.body()).length; } catch { /* redirects */ } });

await page.goto(base + "/", { waitUntil: "load" });
await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
check(bytes < 1_000_000, "first load under 1 MB", `${bytes} bytes`);
check(await page.locator("#admin path").count() > 100, "admin-1 boundaries are drawn");

const dots = await page.locator("circle.event-dot").count();
check(dots > 0, "the map shows events", String(dots));
for (const e of recent) {
  const n = await page.locator(`circle.event-dot[data-id="${e.id}"]`).count();
  check(n === 1, `seed event ${e.id} (${e.event.event_type}, ${e.event.location.name}) is on the map`);
}
await page.screenshot({ path: `${out}/dashboard.png` });

// Click the prison escape: the evidence in Arabic, right to left, the evasion spelling marked.
const escape = recent.find((e) => e.sources[0].evidence.includes("الصوامع")) || recent[0];
// Several events share the city's point: pick this one by keyboard (focus, Enter), as a
// keyboard user would.
await page.locator(`circle.event-dot[data-id="${escape.id}"]`).focus();
await page.keyboard.press("Enter");
await page.waitForSelector("#panel:not([hidden]) .evidence");
const ev = page.locator("#panel .evidence").first();
check(await ev.getAttribute("dir") === "rtl", "the evidence is right to left");
const evText = await ev.textContent();
check(evText.includes("الصوامع"), "the evidence sentence is shown", evText.slice(0, 80));
const repair = page.locator("#panel [data-repair]").first();
check(await repair.count() === 1, "an evasion spelling is marked");
if (await repair.count()) {
  check((await repair.getAttribute("title") || "").includes("→ التنظيم"), "its tooltip gives the plain spelling",
    await repair.getAttribute("title"));
}
await page.screenshot({ path: `${out}/event.png` });
await page.click("#panel-close");

// Alerts: the seed report's return of ISIS to Ar-Raqqa is listed; clicking it focuses the
// filters, the timeline and the map on it.
await page.waitForSelector("#alerts .alert-row");
const alertApi = await json("/api/alerts?as_of=latest");
check(await page.locator("#alerts .alert-row").count() === alertApi.alerts.length,
  "the alerts panel lists the API's alerts", String(alertApi.alerts.length));
const isisAlert = page.locator('#alerts .alert-row[data-key*=":isis:"]').first();
check(await isisAlert.count() === 1, "an ISIS alert is listed");
if (await isisAlert.count()) {
  const text = await isisAlert.textContent();
  check(text.includes("ISIS") && text.includes("Ar-Raqqa"), "its summary names the group and the area", text);
  await isisAlert.click();
  await page.waitForFunction(() => document.querySelectorAll(".event-row.in-alert").length > 0, null, { timeout: 10000 });
  check(await page.inputValue("#f-actor") === "isis", "clicking it sets the actor filter");
  check(await page.inputValue("#f-admin1") === "Ar-Raqqa", "and the governorate");
  check((await page.textContent("#brush-label")).length > 0, "and brushes its window on the timeline");
  check(await page.locator(`.event-row[data-id="${escape.id}"].in-alert`).count() === 1,
    "the prison escape is among the alert's events in the list");
  check(await page.locator(`circle.event-dot[data-id="${escape.id}"]`).count() === 1, "and on the map");
  const others = await page.locator("circle.event-dot").count();
  check(others < dots, "the map shows only the alert's area and window", `${dots} → ${others}`);
  await page.screenshot({ path: `${out}/alert.png` });
  await page.click("#reset");
  await page.waitForFunction(() => document.querySelectorAll(".event-row.in-alert").length === 0);
}

// Search through the evasion spelling.
await page.fill("#search", "تنظيم");
await page.press("#search", "Enter");
await page.waitForSelector(".search-hit");
const hits = await page.locator(".search-hit").count();
check(hits >= 1, "searching تنظيم finds articles", String(hits));
const marked = await page.locator(".search-hit mark").allTextContents();
check(marked.some((m) => m.includes("ـ.ـ")), "the obfuscated spelling is highlighted", marked.slice(0, 3).join(" | "));

// Markup in an article is text.
if (token) {
  await page.fill("#search", "إدلب مدفعي");
  await page.press("#search", "Enter");
  await page.waitForFunction(() => document.getElementById("list-title").textContent.includes("مدفعي"));
  const shown = await page.locator(".search-hit").first().textContent();
  check(shown.includes("<script>") || shown.includes("<img"), "markup is shown as text", shown.slice(0, 60));
}
check(await page.evaluate(() => document.scripts.length) === 1, "no script was injected");
check(dialogs.length === 0, "no script ran", dialogs.join(", "));

// The Arabic interface.
await page.click("#lang-toggle");
check(await page.evaluate(() => document.documentElement.dir) === "rtl", "Arabic switches the page to rtl");
check((await page.textContent("#apply")).trim() === "تطبيق", "labels are translated");
const arAlert = page.locator('#alerts .alert-row[data-key*=":isis:"] .summary').first();
if (await arAlert.count()) {
  check(await arAlert.getAttribute("dir") === "rtl" && (await arAlert.textContent()).includes("الرقة"),
    "the alert's summary is in Arabic, right to left", await arAlert.textContent());
}
await page.screenshot({ path: `${out}/dashboard-ar.png` });

// Brushing the timeline filters the list.
await page.fill("#search", "");
await page.press("#search", "Enter");
await page.waitForSelector(".event-row");
const before = await page.locator(".event-row").count();
const tl = await page.locator("#timeline").boundingBox();
await page.mouse.move(tl.x + tl.width * 0.45, tl.y + tl.height / 2);
await page.mouse.down();
await page.mouse.move(tl.x + tl.width * 0.55, tl.y + tl.height / 2, { steps: 5 });
await page.mouse.up();
await page.waitForFunction(() => document.getElementById("brush-label").textContent.length > 0);
await page.waitForTimeout(500);
const after = await page.locator(".event-row").count();
check(after < before, "brushing the timeline narrows the events", `${before} → ${after}`);

// A phone.
const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
const p2 = await phone.newPage();
await p2.goto(base + "/");
await p2.waitForSelector("body[data-ready='1']", { timeout: 30000 });
const overflow = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
check(overflow <= 1, "no sideways scrolling at phone width", `${overflow}px`);
await p2.screenshot({ path: `${out}/phone.png`, fullPage: true });

check(pageErrors.length === 0, "no errors in the page", pageErrors.join("; "));
await browser.close();
console.log(failures ? `${failures} check(s) failed` : "all checks passed");
process.exit(failures ? 1 : 0);
