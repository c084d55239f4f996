// Code.gs in a stand-in of Apps Script, over real (blocking) HTTP to a live okr serve.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { test, before, after } = require("node:test");
const { loadAppsScript } = require("./gas_stubs.js");
const { closeSyncFetch } = require("./sync_fetch.js");
const { startService, skipUnless, post, plain, ROOT } = require("./live.js");

const CASES = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "data", "function_cases.json"), "utf8"));
const HEADER = CASES.checks[0].rows[0];
let service;

before(async () => {
  service = await startService();
});

after(async () => {
  closeSyncFetch();
  if (service && !service.unavailable) await service.stop();
});

function connected(token, extra) {
  return loadAppsScript({
    properties: {
      "okr.serviceUrl": service.url,
      "okr.token": token === undefined ? service.tokens.sales : token,
      "okr.department": "sales",
    },
    ...extra,
  });
}

const column = (key) => CASES.key_results.map((k) => [k[key]]);

function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail("expected an error");
}

test("OKR_PROGRESS over whole ranges gives the shared table's progress in one request", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs, log } = connected();
  const got = gs.OKR_PROGRESS(column("direction"), column("baseline"), column("target"), column("current"));
  assert.deepEqual(plain(got), CASES.key_results.map((k) => [k.progress]));
  assert.deepEqual(log.requests.map((r) => r.url.replace(service.url, "")), ["/api/v1/functions/OKR_PROGRESS"]);
});

test("OKR_STATUS over ranges with a date cell gives the shared table's status", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs } = connected();
  const asOf = new Date(`${CASES.as_of}T00:00:00Z`);
  const got = gs.OKR_STATUS(column("progress"), column("period"), asOf);
  assert.deepEqual(plain(got), CASES.key_results.map((k) => [k.status]));
});

test("single cells give a single value", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs } = connected();
  assert.equal(gs.OKR_PROGRESS("decrease", 40, 20, 35), 0.25);
  assert.equal(gs.OKR_STATUS(1, "2020"), "on track");
});

test("OKR_CHECK gives the shared table's problems for every table", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs } = connected();
  for (const c of CASES.checks) {
    const parents = c.parents.length ? c.parents.map((p) => [p]) : undefined;
    assert.deepEqual(plain(gs.OKR_CHECK(c.rows, parents)), c.expected, c.name);
  }
});

test("a bad cell in a range shows its reason in that cell; a bad single cell is an error", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs } = connected();
  const got = plain(gs.OKR_STATUS([[0.5], [0.5]], [["2026-Q4"], ["2026-Q4"]], [["2026-11-15"], ["next week"]]));
  assert.equal(got[0][0], "on track");
  assert.match(got[1][0], /^#ERROR .*not a date/);
  assert.match(thrown(() => gs.OKR_STATUS(0.5, "2026-Q4", "next week")).message, /not a date/);
});

test("OKR_METRIC: one request for a range, none on the next recalculation, one after the cache expires", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs, log, clock } = connected();
  const direct = await post(service.direct, "/api/v1/functions/OKR_METRIC", { args: ["emea_new_bookings_eur", "2026-Q4"] }, service.tokens.reader);
  const names = [["emea_new_bookings_eur"], ["emea_new_bookings_eur"], [""], ["no_such_metric"]];
  const periods = [["2026-Q4"], ["2026-Q4"], ["2026-Q4"], ["2026-Q4"]];
  const first = plain(gs.OKR_METRIC(names, periods));
  assert.equal(first[0][0], direct.body.result);
  assert.equal(first[1][0], direct.body.result);
  assert.equal(first[2][0], "");
  assert.match(first[3][0], /^#ERROR .*no_such_metric/);
  assert.equal(log.requests.length, 1);
  // The recalculation asks again only for what has no cached value: the unknown metric.
  gs.OKR_METRIC(names.slice(0, 3), periods.slice(0, 3));
  assert.equal(log.requests.length, 1);
  clock.now += (gs.OKR_METRIC_CACHE_SECONDS + 1) * 1000;
  assert.deepEqual(plain(gs.OKR_METRIC(names.slice(0, 2), periods.slice(0, 2))), [[direct.body.result], [direct.body.result]]);
  assert.equal(log.requests.length, 2);
  assert.equal(gs.OKR_METRIC("emea_new_bookings_eur", "2026-Q4"), direct.body.result);
  assert.match(thrown(() => gs.OKR_METRIC("no_such_metric", "2026-Q4")).message, /no_such_metric/);
});

for (const [name, token, pattern] of [
  ["a bad token", "okr_not-a-token", /refused the token \(401\)/],
  ["a revoked token", null, /refused the token \(401\)/],
  ["no token", "", /not connected: .*paste your token/],
]) {
  test(`${name} is an error with a message, for functions and menu items`, async (t) => {
    if (skipUnless(t, service)) return;
    const { gs } = connected(token === null ? service.tokens.revoked : token, { values: [HEADER] });
    assert.match(thrown(() => gs.OKR_PROGRESS("increase", 0, 10, 5)).message, pattern);
    assert.match(thrown(() => gs.OKR_METRIC("emea_new_bookings_eur", "2026-Q4")).message, pattern);
    assert.match(thrown(() => gs.okrCheckSheet()).message, pattern);
  });
}

test("no URL at all, or an unreachable service, says how to fix it", async (t) => {
  if (skipUnless(t, service)) return;
  const none = loadAppsScript({ properties: { "okr.token": service.tokens.sales } });
  assert.match(thrown(() => none.gs.OKR_PROGRESS("increase", 0, 10, 5)).message, /OKR > Connect and enter the service URL/);
  const dead = connected(service.tokens.sales);
  dead.properties.setProperty("okr.serviceUrl", "http://127.0.0.1:9");
  assert.match(thrown(() => dead.gs.OKR_PROGRESS("increase", 0, 10, 5)).message, /cannot be reached/);
});

test("the URL written by okr addin gsheets is the default; Connect's saved URL wins", async (t) => {
  if (skipUnless(t, service)) return;
  const script = loadAppsScript({ properties: { "okr.token": service.tokens.sales }, serviceUrl: service.url });
  assert.equal(script.gs.OKR_PROGRESS("increase", 0, 10, 5), 0.5);
  script.gs.okrSaveConnection("http://127.0.0.1:9/", "", "finance");
  assert.equal(script.properties.getProperty("okr.serviceUrl"), "http://127.0.0.1:9");
  assert.equal(script.properties.getProperty("okr.token"), service.tokens.sales, "an empty token keeps the saved one");
  assert.equal(script.properties.getProperty("okr.department"), "finance");
  assert.match(thrown(() => script.gs.OKR_PROGRESS("increase", 0, 10, 5)).message, /cannot be reached/);
});

test("the OKR menu has Connect, Check this sheet, Submit to company and Refresh metrics", () => {
  const { gs, log } = loadAppsScript();
  gs.onOpen();
  assert.equal(log.menus[0].title, "OKR");
  assert.deepEqual(plain(log.menus[0].items), [
    ["Connect…", "okrConnect"],
    ["Check this sheet", "okrCheckSheet"],
    ["Submit to company", "okrSubmit"],
    ["Refresh metrics", "okrRefreshMetrics"],
  ]);
  for (const [, fn] of log.menus[0].items) assert.equal(typeof gs[fn], "function", fn);
});

test("Connect shows a dialog with the saved URL and department, never the token", () => {
  const { gs, log } = loadAppsScript({
    properties: { "okr.serviceUrl": "https://okr.example.com", "okr.token": "okr_secret", "okr.department": "sales" },
  });
  gs.okrConnect();
  const [title, out] = log.dialogs[0];
  assert.equal(title, "Connect to OKR");
  assert.match(out.getContent(), /value="https:\/\/okr\.example\.com"/);
  assert.match(out.getContent(), /value="sales"/);
  assert.doesNotMatch(out.getContent(), /okr_secret/);
  assert.match(out.getContent(), /okrSaveConnection/);
});

test("Check this sheet lists the problems from /check in a sidebar, each linking to its cell", async (t) => {
  if (skipUnless(t, service)) return;
  const broken = CASES.checks.find((c) => c.name.startsWith("duplicate"));
  const { gs, log } = connected(undefined, { values: broken.rows.map((r) => r.slice()) });
  const problems = plain(gs.okrCheckSheet());
  assert.deepEqual(problems.map((p) => p.code).sort(), ["duplicate-id", "duplicate-id", "unknown-parent"]);
  const sidebar = log.sidebars[0];
  assert.equal(sidebar.title, "OKR problems");
  for (const p of problems) assert.ok(sidebar.getContent().includes(`okrSelectCell('${p.cell}')`), p.cell);
  const hostile = gs.okrProblemsHtml_([{ severity: "error", cell: "A1');alert(1);('", message: "<b>x</b>" }]);
  assert.doesNotMatch(hostile, /alert\(1\)\)/);
  assert.match(hostile, /okrSelectCell\(''\)/);
  assert.match(hostile, /&lt;b&gt;x&lt;\/b&gt;/);
  gs.okrSelectCell(problems[0].cell);
  assert.equal(log.activated, problems[0].cell);
  gs.okrSelectCell("A1:B2; evil()");
  assert.equal(log.activated, problems[0].cell, "only a plain cell address is followed");
});

test("the sidebar counts the problems, or says there are none", async (t) => {
  if (skipUnless(t, service)) return;
  const lone = [HEADER, ["SALES-O1", "Objective", "CO-O1", "Grow", "ana", "Sales", "2026-Q4", "", "", "", "", "", "", "", "", "", "", "", ""]];
  const { gs, log } = connected(undefined, { values: lone });
  const problems = plain(gs.okrCheckSheet());
  assert.deepEqual(problems.map((p) => p.code).sort(), ["no-krs", "unknown-parent"]);
  assert.match(log.sidebars[0].getContent(), /2 problem\(s\)/);
  assert.equal(gs.okrProblemsHtml_([]), "<p>No problems.</p>");
});

test("Refresh metrics writes Current and As of from the service, as values, into rows with a Metric", async (t) => {
  if (skipUnless(t, service)) return;
  const listed = await (await fetch(service.direct + "/api/v1/metrics", { headers: { Authorization: `Bearer ${service.tokens.sales}` } })).json();
  const bookings = listed.metrics.find((m) => m.name === "emea_new_bookings_eur" && m.period === "2026-Q4");
  assert.ok(bookings, "the example organisation's metric was refreshed");
  const row = (id, metric, current) => {
    const r = Object.fromEntries(HEADER.map((h) => [h, ""]));
    Object.assign(r, { ID: id, Type: "Key Result", Parent: "SALES-O1", Period: "2026-Q4", Metric: metric, Current: current });
    return HEADER.map((h) => r[h]);
  };
  const values = [HEADER, row("SALES-KR1.1", "emea_new_bookings_eur", 1), row("SALES-KR1.2", "", 7), row("SALES-KR1.3", "no_such_metric", 3)];
  const { gs, sheet, log } = connected(undefined, { values });
  assert.equal(gs.okrRefreshMetrics(), 1);
  const current = HEADER.indexOf("Current");
  const asOf = HEADER.indexOf("As of");
  assert.equal(sheet.values[1][current], bookings.value);
  assert.equal(sheet.values[1][asOf], bookings.as_of);
  assert.equal(sheet.values[2][current], 7, "a typed-by-hand key result is left alone");
  assert.equal(sheet.values[3][current], 3);
  assert.deepEqual(plain(log.toasts), [["OKR", "1 key result(s) refreshed."]]);
});

test("Refresh metrics on a sheet without the OKR header says so", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs } = connected(undefined, { values: [["a", "b"]], sheetName: "Notes" });
  assert.match(thrown(() => gs.okrRefreshMetrics()).message, /no header row with Metric and Current on sheet Notes/);
});

// ------------------------------------------------------------------- submit

const salesRows = () => {
  const r = (values) => HEADER.map((h) => (h in values ? values[h] : ""));
  return [
    HEADER,
    r({ ID: "SALES-O1", Type: "Objective", Parent: "CO-O1", Title: "Grow", Owner: "ana", Department: "Sales", Period: "2026-Q4" }),
    r({ ID: "SALES-KR1.1", Type: "Key Result", Parent: "SALES-O1", Title: "=HYPERLINK(\"x\")", Owner: "ana", Department: "Sales", Period: "2026-Q4", Direction: "increase", Baseline: 0, Target: 10, Current: 5, "As of": new Date("2026-11-10T00:00:00Z") }),
  ];
};

test("Submit to company sends the sheet's rows; the service stores them as the department's next version", async (t) => {
  if (skipUnless(t, service)) return;
  const { gs, log } = connected(undefined, { values: salesRows() });
  const first = plain(gs.okrSubmit());
  assert.equal(first.department, "sales");
  assert.equal(first.stored, true);
  assert.ok(Number.isInteger(first.version));
  const second = plain(gs.okrSubmit());
  assert.equal(second.version, first.version + 1);
  assert.match(log.toasts[0][1], new RegExp(`^Submitted as version ${first.version}; \\d+ problem\\(s\\)\\.$`));
  const versions = await (await fetch(`${service.direct}/api/v1/departments/sales/versions`, { headers: { Authorization: `Bearer ${service.tokens.sales}` } })).json();
  assert.ok(versions.versions.some((v) => v.version === second.version));
});

test("Submit for another department is refused (403); without a department code it says how to set it", async (t) => {
  if (skipUnless(t, service)) return;
  const other = connected(undefined, { values: salesRows() });
  other.properties.setProperty("okr.department", "finance");
  assert.match(thrown(() => other.gs.okrSubmit()).message, /answered 403: this token may not submit the workbook of finance/);
  const none = connected(undefined, { values: salesRows() });
  none.properties.deleteProperty("okr.department");
  assert.match(thrown(() => none.gs.okrSubmit()).message, /no department code: use OKR > Connect/);
  const bad = connected("okr_nope", { values: salesRows() });
  assert.match(thrown(() => bad.gs.okrSubmit()).message, /refused the token \(401\)/);
});
