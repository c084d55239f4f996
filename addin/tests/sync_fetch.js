// Synchronous HTTP for the UrlFetchApp stand-in, as Apps Script's UrlFetchApp.fetch
// blocks: a worker thread does a real fetch while the caller waits on Atomics.wait,
// then takes the answer with receiveMessageOnPort.
"use strict";

const { Worker, MessageChannel, receiveMessageOnPort } = require("node:worker_threads");

const WORKER = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", async ({ url, init, port, flag }) => {
  let answer;
  try {
    const response = await fetch(url, init);
    answer = { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
  } catch (err) {
    answer = { failed: String(err && err.cause ? err.cause.code || err.cause : err) };
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

let worker = null;

/** fetch(url, init) that blocks until the answer: {status, headers, body} or {failed}. */
function fetchSync(url, init, timeoutMs = 30000) {
  if (worker === null) {
    worker = new Worker(WORKER, { eval: true });
    worker.unref();
  }
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ url, init, port: port2, flag }, [port2]);
  const waited = Atomics.wait(flag, 0, 0, timeoutMs);
  const message = receiveMessageOnPort(port1);
  port1.close();
  if (waited === "timed-out" || !message) {
    return { failed: "timeout" };
  }
  return message.message;
}

/** Stop the worker (end of a test file). */
function closeSyncFetch() {
  if (worker !== null) {
    worker.terminate();
    worker = null;
  }
}

module.exports = { fetchSync, closeSyncFetch };
