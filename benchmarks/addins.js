// The add-ins' side of benchmarks/bench_addins.py: a 1,000-row OKR.PROGRESS column
// through the Office.js functions (1,000 cell calls in one recalculation) and
// through the Apps Script function (one call with 1,000-row ranges), against the
// service at URL behind a request-counting proxy (addin/tests/live.js); the floor is the same batch
// POSTed straight to the service. Prints one JSON object.
//
//   node benchmarks/addins.js URL TOKEN ROWS REPEAT
"use strict";

const path = require("node:path");
const tests = path.join(__dirname, "..", "addin", "tests");
const { loadOffice } = require(path.join(tests, "office_stubs.js"));
const { loadAppsScript } = require(path.join(tests, "gas_stubs.js"));
const { closeSyncFetch } = require(path.join(tests, "sync_fetch.js"));
const { startProxy } = require(path.join(tests, "live.js"));

const [service, token, rowsText, repeatText] = process.argv.slice(2);
let url;
const ROWS = Number(rowsText || 1000);
const REPEAT = Number(repeatText || 5);
const rows = Array.from({ length: ROWS }, (_, i) => ["increase", 0, ROWS, i]);

async function requests() {
  return (await (await fetch(url + "/__counts")).json()).total;
}

async function time(fn) {
  const before = await requests();
  const t0 = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, requests: (await requests()) - before };
}

async function best(fn) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await time(fn));
  runs.sort((a, b) => a.ms - b.ms);
  return { best_ms: runs[0].ms, median_ms: runs[Math.floor(runs.length / 2)].ms, requests: runs[0].requests };
}

(async () => {
  const proxy = await startProxy(service);
  url = proxy.url;
  const batch = { calls: rows.map((r) => ({ function: "OKR_PROGRESS", args: r })) };
  const floor = await best(async () => {
    const answer = await fetch(url + "/api/v1/functions:batch", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(batch),
    });
    await answer.json();
  });
  const office = await best(async () => {
    const { functions } = loadOffice({ storage: { "okr.serviceUrl": url, "okr.token": token } });
    await Promise.all(rows.map((r) => functions.PROGRESS(...r.map((v) => [[v]]))));
  });
  const gasFloor = await best(async () => {
    const answer = await fetch(url + "/api/v1/functions/OKR_PROGRESS", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ args: [0, 1, 2, 3].map((c) => rows.map((r) => [r[c]])) }),
    });
    await answer.json();
  });
  const gas = await best(async () => {
    const { gs } = loadAppsScript({ properties: { "okr.serviceUrl": url, "okr.token": token } });
    const column = (c) => rows.map((r) => [r[c]]);
    gs.OKR_PROGRESS(column(0), column(1), column(2), column(3));
  });
  closeSyncFetch();
  await proxy.stop();
  process.stdout.write(JSON.stringify({ rows: ROWS, repeat: REPEAT, floor, office, gasFloor, gas }) + "\n");
})();
