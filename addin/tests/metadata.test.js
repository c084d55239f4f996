// functions.json is what Excel registers; it must be what custom-functions-metadata
// makes of functions.js today, or Excel shows stale names and parameters.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { test } = require("node:test");
const { generateCustomFunctionsMetadata } = require("custom-functions-metadata");

const OFFICE = path.join(__dirname, "..", "office");

test("functions.json is regenerated from functions.js (npm run metadata)", async () => {
  const made = await generateCustomFunctionsMetadata(path.join(OFFICE, "functions.js"));
  assert.deepEqual(made.errors, []);
  const committed = fs.readFileSync(path.join(OFFICE, "functions.json"), "utf8");
  assert.equal(committed, made.metadataJson, "functions.json is stale: run `npm run metadata` in addin/");
});

test("the four OKR functions are registered with their parameters", () => {
  const meta = JSON.parse(fs.readFileSync(path.join(OFFICE, "functions.json"), "utf8"));
  const byId = Object.fromEntries(meta.functions.map((f) => [f.id, f.parameters.map((p) => p.name)]));
  assert.deepEqual(byId, {
    PROGRESS: ["direction", "baseline", "target", "current"],
    STATUS: ["progress", "period", "asOf"],
    CHECK: ["table", "parents"],
    METRIC: ["name", "period"],
  });
});

test("every function takes and returns ranges, so a whole column can be one call", () => {
  const meta = JSON.parse(fs.readFileSync(path.join(OFFICE, "functions.json"), "utf8"));
  for (const f of meta.functions) {
    assert.equal(f.result.dimensionality, "matrix", f.id);
    for (const p of f.parameters) assert.equal(p.dimensionality, "matrix", `${f.id} ${p.name}`);
  }
});
