// Run the shared case table through the Office.js functions or the Apps Script
// functions against a running service, for the agreement test of every surface:
//
//   node addin/tests/run_cases.js office|gsheets URL TOKEN CASES.json
//
// prints {"progress": [...], "status": [...], "checks": [...], "metrics": [...]}
// where a call that gave an error value is the string "error".
"use strict";

const fs = require("node:fs");
const { loadOffice, asMatrix } = require("./office_stubs.js");
const { loadAppsScript } = require("./gas_stubs.js");
const { closeSyncFetch } = require("./sync_fetch.js");

const [surface, url, token, casesPath] = process.argv.slice(2);
const CASES = JSON.parse(fs.readFileSync(casesPath, "utf8"));
const plain = (v) => JSON.parse(JSON.stringify(v));

async function office() {
  const { functions } = loadOffice({ storage: { "okr.serviceUrl": url, "okr.token": token } });
  const cell = async (promise) => {
    try {
      return plain(await promise)[0][0];
    } catch (err) {
      return "error";
    }
  };
  const krs = CASES.key_results;
  const progress = await Promise.all(
    krs.map((k) => cell(functions.PROGRESS(asMatrix(k.direction), asMatrix(k.baseline), asMatrix(k.target), asMatrix(k.current)))),
  );
  const status = await Promise.all(krs.map((k) => cell(functions.STATUS(asMatrix(k.progress), asMatrix(k.period), asMatrix(CASES.as_of)))));
  const checks = await Promise.all(
    CASES.checks.map((c) => functions.CHECK(c.rows, c.parents.length ? c.parents.map((p) => [p]) : null).then(plain)),
  );
  const metrics = await Promise.all(CASES.metrics.map((m) => cell(functions.METRIC(asMatrix(m.name), asMatrix(m.period)))));
  return { progress, status, checks, metrics };
}

function gsheets() {
  const { gs } = loadAppsScript({ properties: { "okr.serviceUrl": url, "okr.token": token } });
  const column = (key) => CASES.key_results.map((k) => [k[key]]);
  const cells = (grid) => plain(grid).map((row) => (typeof row[0] === "string" && row[0].startsWith("#ERROR ") ? "error" : row[0]));
  const progress = cells(gs.OKR_PROGRESS(column("direction"), column("baseline"), column("target"), column("current")));
  const status = cells(gs.OKR_STATUS(column("progress"), column("period"), new Date(`${CASES.as_of}T00:00:00Z`)));
  const checks = CASES.checks.map((c) => plain(gs.OKR_CHECK(c.rows, c.parents.length ? c.parents.map((p) => [p]) : undefined)));
  const metrics = cells(gs.OKR_METRIC(CASES.metrics.map((m) => [m.name]), CASES.metrics.map((m) => [m.period])));
  return { progress, status, checks, metrics };
}

(async () => {
  const result = surface === "office" ? await office() : gsheets();
  closeSyncFetch();
  process.stdout.write(JSON.stringify(result) + "\n");
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
