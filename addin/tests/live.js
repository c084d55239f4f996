// A live `okr serve` on the example organisation for the Node tests, started
// through tests/live_service.py, behind a counting proxy so a test can say how
// many requests reached the service. The proxy runs on a worker thread, so it
// keeps answering while the test's main thread blocks in a synchronous
// UrlFetchApp call.
"use strict";

const path = require("node:path");
const fs = require("node:fs");
const { spawn } = require("node:child_process");
const { Worker } = require("node:worker_threads");

const ROOT = path.join(__dirname, "..", "..");
const REQUIRE_FLAG = "OKR_REQUIRE_SERVICE";

function python() {
  if (process.env.OKR_PYTHON) return process.env.OKR_PYTHON;
  const venv = path.join(ROOT, ".venv", "bin", "python");
  return fs.existsSync(venv) ? venv : "python3";
}

const PROXY = `
const http = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const counts = { total: 0, paths: {} };
const target = new URL(workerData.target);
const server = http.createServer((req, res) => {
  if (req.url === "/__counts") {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify(counts));
    return;
  }
  if (req.url === "/__reset") {
    counts.total = 0;
    counts.paths = {};
    res.end("{}");
    return;
  }
  counts.total += 1;
  const key = req.method + " " + req.url.split("?")[0];
  counts.paths[key] = (counts.paths[key] || 0) + 1;
  const headers = { ...req.headers, host: target.host };
  const upstream = http.request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    res.writeHead(502);
    res.end(String(err));
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 1000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
parentPort.on("message", (m) => { if (m === "stop") server.close(() => process.exit(0)); });
`;

/** A counting proxy in front of *target*: {url, stop()}; GET /__counts, /__reset. */
async function startProxy(target) {
  const worker = new Worker(PROXY, { eval: true, workerData: { target } });
  const port = await new Promise((resolve) => worker.once("message", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      worker.postMessage("stop");
      await new Promise((resolve) => worker.once("exit", resolve));
    },
  };
}

/**
 * Start the service, or skip the calling test file with a reason (failing
 * instead under OKR_REQUIRE_SERVICE=1). Resolves to
 * {url (through the proxy), direct, tokens, asOf, workspace, counts(), reset(), stop()}.
 */
async function startService() {
  const child = spawn(python(), ["-m", "tests.live_service"], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise((resolve) => {
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const end = buffer.indexOf("\n");
      if (end >= 0) resolve(buffer.slice(0, end));
    });
    child.on("error", (err) => resolve(JSON.stringify({ unavailable: String(err) })));
    child.on("exit", (code) => resolve(JSON.stringify({ unavailable: `the service helper exited ${code}` })));
  });
  const info = JSON.parse(line);
  if (info.unavailable) {
    child.kill();
    return { unavailable: `no live okr serve: ${info.unavailable}` };
  }
  const proxy = await startProxy(info.url);
  const url = proxy.url;
  return {
    ...info,
    direct: info.url,
    url,
    asOf: info.as_of,
    async counts() {
      return (await fetch(url + "/__counts")).json();
    },
    async reset() {
      await fetch(url + "/__reset");
    },
    async stop() {
      await proxy.stop();
      child.stdin.end();
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
    },
  };
}

/** Skip (or, under OKR_REQUIRE_SERVICE=1, fail) when the service could not start. */
function skipUnless(t, service) {
  if (!service.unavailable) return false;
  if (process.env[REQUIRE_FLAG] === "1") {
    throw new Error(`${service.unavailable} (and ${REQUIRE_FLAG}=1 forbids skipping)`);
  }
  t.skip(service.unavailable);
  return true;
}

/** POST JSON to the service directly; the parsed answer and status. */
async function post(base, route, body, token) {
  const response = await fetch(base + route, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** A value from another realm (a vm context) as plain JSON, for deepEqual. */
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

module.exports = { startService, startProxy, skipUnless, post, plain, ROOT, python };
