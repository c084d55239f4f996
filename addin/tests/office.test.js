// functions.js and taskpane.js in a stand-in of Excel's shared runtime, over
// real HTTP to a live okr serve on the example organisation.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const { test, before, after } = require("node:test");
const { loadOffice, makeDocument, asMatrix, CustomFunctionsError } = require("./office_stubs.js");
const { startService, skipUnless, post, plain, ROOT } = require("./live.js");

const CASES = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "data", "function_cases.json"), "utf8"));
let service;

before(async () => {
  service = await startService();
});

after(async () => {
  if (service && !service.unavailable) await service.stop();
});

/** A runtime connected with *token* (default: the sales department's). */
function connected(token, url) {
  return loadOffice({
    storage: { "okr.serviceUrl": url || service.url, "okr.token": token === undefined ? service.tokens.sales : token },
  });
}

/** The one value of a 1x1 result. */
const one = (matrix) => plain(matrix)[0][0];

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("expected an error value");
}

test("OKR.PROGRESS gives the shared table's progress for every case, in one request", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  await service.reset();
  const krs = CASES.key_results;
  const got = await Promise.all(
    krs.map((k) => functions.PROGRESS(asMatrix(k.direction), asMatrix(k.baseline), asMatrix(k.target), asMatrix(k.current))),
  );
  assert.deepEqual(got.map(one), krs.map((k) => k.progress));
  const counts = await service.counts();
  assert.deepEqual(counts.paths, { "POST /api/v1/functions:batch": 1 });
});

test("OKR.STATUS gives the shared table's status for every case", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  const krs = CASES.key_results;
  const got = await Promise.all(
    krs.map((k) => functions.STATUS(asMatrix(k.progress), asMatrix(k.period), asMatrix(CASES.as_of))),
  );
  assert.deepEqual(got.map(one), krs.map((k) => k.status));
});

test("OKR.STATUS without a date uses today (an omitted optional argument)", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  assert.equal(one(await functions.STATUS([[1]], [["2020"]])), "on track");
  assert.equal(one(await functions.STATUS([[0.5]], [["2099-Q1"]], null)), "not started");
});

test("a range argument answers a range: one call for a whole column", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  const krs = CASES.key_results;
  const column = (key) => krs.map((k) => [k[key]]);
  const got = await functions.PROGRESS(column("direction"), column("baseline"), column("target"), column("current"));
  assert.deepEqual(plain(got), krs.map((k) => [k.progress]));
});

test("OKR.CHECK gives the shared table's problems for every table", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  for (const c of CASES.checks) {
    const parents = c.parents.length ? c.parents.map((p) => [p]) : null;
    const got = await functions.CHECK(c.rows, parents);
    assert.deepEqual(plain(got), c.expected, c.name);
  }
});

test("OKR.METRIC gives the value the service holds; an unknown metric is a #VALUE! with the reason", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  const direct = await post(service.direct, "/api/v1/functions/OKR_METRIC", { args: ["emea_new_bookings_eur", "2026-Q4"] }, service.tokens.reader);
  assert.equal(direct.status, 200);
  assert.equal(typeof direct.body.result, "number");
  assert.equal(one(await functions.METRIC([["emea_new_bookings_eur"]], [["2026-Q4"]])), direct.body.result);
  const err = await rejection(functions.METRIC([["no_such_metric"]], [["2026-Q4"]]));
  assert.ok(err instanceof CustomFunctionsError);
  assert.equal(err.code, "#VALUE!");
  assert.match(err.message, /no_such_metric/);
});

test("a 1,000-row OKR.PROGRESS column recalculated cell by cell is one request", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  await service.reset();
  const rows = Array.from({ length: 1000 }, (_, i) => [["increase"], [0], [1000], [i]]);
  const got = await Promise.all(rows.map((r) => functions.PROGRESS(...r)));
  assert.deepEqual(got.map(one), rows.map((r) => r[3][0] / 1000));
  assert.deepEqual((await service.counts()).paths, { "POST /api/v1/functions:batch": 1 });
});

test("one bad call is an error value; the other calls of the batch still answer", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  const [good, bad] = await Promise.allSettled([
    functions.PROGRESS([["increase"]], [[0]], [[10]], [[5]]),
    functions.STATUS([[0.5]], [["2026-Q4"]], [["next week"]]),
  ]);
  assert.equal(one(good.value), 0.5);
  assert.ok(bad.reason instanceof CustomFunctionsError);
  assert.equal(bad.reason.code, "#VALUE!");
  assert.match(bad.reason.message, /not a date/);
});

test("a bad cell inside a range is an error in that cell only", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected();
  const got = await functions.STATUS([[0.5], [0.5]], [["2026-Q4"], ["2026-Q4"]], [["2026-11-15"], ["next week"]]);
  assert.equal(got[0][0], "on track");
  assert.ok(got[1][0] instanceof CustomFunctionsError);
  assert.match(got[1][0].message, /not a date/);
});

for (const [name, token, pattern] of [
  ["a bad token", "okr_not-a-token", /refused the token \(401\)/],
  ["a revoked token", null, /refused the token \(401\)/],
  ["no token", "", /not connected/],
]) {
  test(`${name} gives #N/A with a message on every call, no hang`, async (t) => {
    if (skipUnless(t, service)) return;
    const { functions } = connected(token === null ? service.tokens.revoked : token);
    const errors = await Promise.all([
      rejection(functions.PROGRESS([["increase"]], [[0]], [[10]], [[5]])),
      rejection(functions.METRIC([["emea_new_bookings_eur"]], null)),
    ]);
    for (const err of errors) {
      assert.ok(err instanceof CustomFunctionsError);
      assert.equal(err.code, "#N/A");
      assert.match(err.message, pattern);
    }
  });
}

test("an unreachable service gives #N/A saying so, quickly", async (t) => {
  if (skipUnless(t, service)) return;
  const { functions } = connected(service.tokens.sales, "http://127.0.0.1:9");
  const started = Date.now();
  const err = await rejection(functions.PROGRESS([["increase"]], [[0]], [[10]], [[5]]));
  assert.equal(err.code, "#N/A");
  assert.match(err.message, /cannot be reached/);
  assert.ok(Date.now() - started < 10000);
});

test("a service that accepts the connection but never answers gives #N/A after the time limit", async (t) => {
  if (skipUnless(t, service)) return;
  const sockets = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    const office = loadOffice({
      storage: { "okr.serviceUrl": `http://127.0.0.1:${silent.address().port}`, "okr.token": service.tokens.sales },
      timeoutMs: 300,
    });
    const err = await rejection(office.functions.PROGRESS([["increase"]], [[0]], [[10]], [[5]]));
    assert.equal(err.code, "#N/A");
    assert.match(err.message, /no answer within 0.3 s/);
  } finally {
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
});

test("the URL defaults to the origin the add-in was served from; Connect stores URL and token", async (t) => {
  if (skipUnless(t, service)) return;
  const office = loadOffice({ origin: service.url });
  const before = await office.context.okrSettings();
  assert.equal(before.url, service.url);
  assert.equal(before.token, "");
  await office.context.okrConnect(service.url + "/", ` ${service.tokens.reader} `);
  assert.equal(office.storage.items.get("okr.serviceUrl"), service.url);
  assert.equal(office.storage.items.get("okr.token"), service.tokens.reader);
  assert.equal(one(await office.functions.PROGRESS([["increase"]], [[0]], [[4]], [[1]])), 0.25);
  await office.context.okrDisconnect();
  assert.equal(office.storage.items.has("okr.token"), false);
});

// ------------------------------------------------------------------ task pane

test("the task pane checks the sheet's rows against /check; a problem's link selects its cell", async (t) => {
  if (skipUnless(t, service)) return;
  const broken = CASES.checks.find((c) => c.name.startsWith("duplicate"));
  const office = loadOffice({
    storage: { "okr.serviceUrl": service.url, "okr.token": service.tokens.sales },
    sheets: { OKRs: broken.rows },
  });
  const { sheet, rows } = await office.context.okrActiveRows();
  const problems = plain(await office.context.okrCheckRows(rows, sheet));
  const codes = problems.map((p) => p.code).sort();
  assert.deepEqual(codes, ["duplicate-id", "duplicate-id", "unknown-parent"]);
  const dup = problems.find((p) => p.code === "duplicate-id");
  assert.match(office.context.okrProblemLine(dup), /^OKRs!A\d · ID SALES-KR1\.1/);
  await office.context.okrSelect(dup.sheet, dup.cell);
  assert.equal(office.context.Excel.state.selected, `OKRs!${dup.cell}`);
});

const SALES = path.join(ROOT, "examples", "org", "sales.xlsx");

test("the task pane submits the workbook read slice by slice to the department's upload route", async (t) => {
  if (skipUnless(t, service)) return;
  const bytes = new Uint8Array(fs.readFileSync(SALES));
  const office = loadOffice({
    storage: { "okr.serviceUrl": service.url, "okr.token": service.tokens.sales },
    document: makeDocument(bytes, 4096),
  });
  const read = await office.context.okrReadDocument(office.context.Office.context.document);
  assert.equal(read.length, bytes.length);
  assert.deepEqual(Buffer.from(read), Buffer.from(bytes));
  const answer = plain(await office.context.okrSubmitWorkbook("sales", read));
  assert.equal(answer.department, "sales");
  assert.ok(Number.isInteger(answer.version));
  assert.ok(Array.isArray(answer.problems));
});

test("submitting another department's workbook is refused with the 403 in the message", async (t) => {
  if (skipUnless(t, service)) return;
  const office = connected(service.tokens.sales);
  const bytes = new Uint8Array(fs.readFileSync(SALES));
  const err = await rejection(office.context.okrSubmitWorkbook("finance", bytes));
  assert.equal(err.status, 403);
  assert.match(err.message, /not accepted \(403\)/);
});

test("submitting with a bad token or to a dead service says why", async (t) => {
  if (skipUnless(t, service)) return;
  const bytes = new Uint8Array(fs.readFileSync(SALES));
  const bad = await rejection(connected("okr_nope").context.okrSubmitWorkbook("sales", bytes));
  assert.equal(bad.status, 401);
  const dead = await rejection(connected(service.tokens.sales, "http://127.0.0.1:9").context.okrSubmitWorkbook("sales", bytes));
  assert.match(dead.message, /cannot be reached/);
  const none = await rejection(connected().context.okrSubmitWorkbook("", bytes));
  assert.match(none.message, /department code/);
});
