/*
 * The OKR functions for Excel on the web, on the Mac and on Windows (Office.js
 * custom functions in a shared runtime): OKR.PROGRESS, OKR.STATUS, OKR.CHECK
 * and OKR.METRIC. They compute nothing themselves: every call goes to the
 * okr-sheets service, so the answers are those of `okr check`, the template's
 * formulas and the xlwings functions.
 *
 * Every call made within one recalculation (a 50 ms window) travels in one
 * POST /api/v1/functions:batch. A failed call comes back as a
 * CustomFunctions.Error carrying the service's message; no connection, a
 * refused token or an unreachable service give a clear error value, never a
 * hang (each request has a time limit).
 *
 * The service URL and token live in OfficeRuntime.storage (set by the task
 * pane's Connect form). The URL defaults to the origin the add-in was loaded
 * from, since `okr serve` serves these files itself.
 *
 * functions.json is generated from the JSDoc below: `npm run metadata` in
 * addin/ (a test fails when it is stale).
 */

/* global CustomFunctions, OfficeRuntime, location */

const OKR_BATCH_WINDOW_MS = 50;
const OKR_TIMEOUT_MS = 20000;
// A recalculation of a huge sheet is cut into requests of this many calls,
// so no single request body grows without bound.
const OKR_MAX_CALLS_PER_REQUEST = 5000;
const OKR_STORAGE_URL = "okr.serviceUrl";
const OKR_STORAGE_TOKEN = "okr.token";

/**
 * Progress of a key result between 0 and 1, as the template's Progress column computes it.
 * @customfunction PROGRESS
 * @param {any[][]} direction increase, decrease, at least, at most or milestone (any spelling)
 * @param {any[][]} baseline Where the key result started; empty counts as 0
 * @param {any[][]} target Where it should end
 * @param {any[][]} current Where it is now; for a milestone: done, yes, 1, TRUE
 * @returns {any[][]} Progress in [0, 1], one per row of the arguments
 */
function okrProgress(direction, baseline, target, current) {
  return okrCall("OKR_PROGRESS", [direction, baseline, target, current]);
}

/**
 * Status of a key result: on track, at risk, off track or not started.
 * @customfunction STATUS
 * @param {any[][]} progress Progress between 0 and 1 (the Progress column)
 * @param {any[][]} period 2026, 2026-H2, 2026-Q4 or 2026-11
 * @param {any[][]} [asOf] The evaluation date; empty means today
 * @returns {any[][]} The status, or empty when progress or period is unknown
 */
function okrStatus(progress, period, asOf) {
  return okrCall("OKR_STATUS", [progress, period, okrOptional(asOf)]);
}

/**
 * The cascade check of an OKR table: one line of problems per row, headed Problems.
 * @customfunction CHECK
 * @param {any[][]} table The whole OKR table including its header row
 * @param {any[][]} [parents] IDs of the level above, e.g. the ParentList range
 * @returns {any[][]} One column of problem messages, one row per row of the table
 */
function okrCheck(table, parents) {
  return okrCall("OKR_CHECK", [table, okrOptional(parents)], { whole: true });
}

/**
 * The latest value of a metric from the registry, as the nightly refresh stored it.
 * @customfunction METRIC
 * @param {any[][]} name The metric's name in okr.toml
 * @param {any[][]} [period] The key result's period; empty means the organisation's period
 * @returns {any[][]} The metric's latest value
 */
function okrMetric(name, period) {
  return okrCall("OKR_METRIC", [name, okrOptional(period)]);
}

// ------------------------------------------------------------------ arguments

/** An omitted optional argument (Excel passes null or undefined) as null. */
function okrOptional(value) {
  return value === undefined ? null : value;
}

/** A 1x1 range as its one value, so a column of single-cell calls batches as scalars. */
function okrScalar(value) {
  if (Array.isArray(value) && value.length === 1 && Array.isArray(value[0]) && value[0].length === 1) {
    return value[0][0];
  }
  return value;
}

/** A result as Excel expects for an any[][] return: always rows of cells. */
function okrMatrix(result) {
  if (Array.isArray(result)) {
    return result.map((row) => (Array.isArray(row) ? row.map(okrCell) : [okrCell(row)]));
  }
  return [[okrCell(result)]];
}

/** One cell of a result: null as empty text (Excel would show 0), a cell's error as #VALUE!. */
function okrCell(value) {
  if (value === null || value === undefined) {
    return "";
  }
  if (okrIsError(value)) {
    return okrError(value.error.message || value.error.code, false);
  }
  return value;
}

/** Whether a result cell is the service's {"error": {"code", "message"}} for that cell. */
function okrIsError(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof value.error === "object";
}

// ----------------------------------------------------------------- connection

let okrConnection = null;

/** The service URL and token: from OfficeRuntime.storage, read once, then kept. */
async function okrSettings() {
  if (okrConnection === null) {
    const stored = await OfficeRuntime.storage.getItems([OKR_STORAGE_URL, OKR_STORAGE_TOKEN]);
    const origin = typeof location !== "undefined" && location.origin ? location.origin : "";
    okrConnection = {
      url: okrTrimUrl(stored[OKR_STORAGE_URL] || origin),
      token: stored[OKR_STORAGE_TOKEN] || "",
    };
  }
  return okrConnection;
}

/** Save the service URL and token (the task pane's Connect form). */
async function okrConnect(url, token) {
  const cleaned = { url: okrTrimUrl(url), token: String(token || "").trim() };
  await OfficeRuntime.storage.setItems({
    [OKR_STORAGE_URL]: cleaned.url,
    [OKR_STORAGE_TOKEN]: cleaned.token,
  });
  okrConnection = cleaned;
  return cleaned;
}

/** Forget the token (the task pane's Disconnect). */
async function okrDisconnect() {
  await OfficeRuntime.storage.removeItems([OKR_STORAGE_TOKEN]);
  okrConnection = null;
}

function okrTrimUrl(url) {
  return String(url || "").trim().replace(/\/+$/, "");
}

// --------------------------------------------------------------------- errors

/** A CustomFunctions.Error; #VALUE! and #N/A are the codes that show a message. */
function okrError(message, notAvailable) {
  const code = notAvailable ? CustomFunctions.ErrorCode.notAvailable : CustomFunctions.ErrorCode.invalidValue;
  return new CustomFunctions.Error(code, message);
}

class OkrServiceError extends Error {
  /** An answer that is not a result: *status* 0 means no answer at all. */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The one-line message for a failed request, from its status and the service's error body. */
function okrFailure(status, body, url) {
  const said = body && body.error && body.error.message ? body.error.message : "";
  if (status === 401) {
    return `OKR: the service at ${url} refused the token (401): open OKR > Connect and paste a valid token`;
  }
  if (status === 403) {
    return `OKR: the token may not call this (403)${said ? ": " + said : ""}`;
  }
  if (status === 429) {
    return "OKR: too many requests (429): wait a minute and recalculate";
  }
  return `OKR: the service answered ${status}${said ? ": " + said : ""}`;
}

// --------------------------------------------------------------------- HTTP

/**
 * POST *body* as JSON to *path* on the service; the parsed answer.
 * Throws OkrServiceError with a one-line message for every failure.
 */
async function okrPost(path, body, settings) {
  const conn = settings || (await okrSettings());
  if (!conn.url) {
    throw new OkrServiceError(0, "OKR: not connected: open OKR > Connect and enter the service URL");
  }
  if (!conn.token) {
    throw new OkrServiceError(401, "OKR: not connected: open OKR > Connect and paste your token");
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), OKR_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(conn.url + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + conn.token },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (err) {
    const why = controller.signal.aborted ? `no answer within ${OKR_TIMEOUT_MS / 1000} s` : "cannot be reached";
    throw new OkrServiceError(0, `OKR: the service at ${conn.url} ${why}: check the network or the URL in OKR > Connect`);
  } finally {
    clearTimeout(timer);
  }
  let parsed = null;
  try {
    parsed = await response.json();
  } catch (err) {
    parsed = null;
  }
  if (!response.ok) {
    throw new OkrServiceError(response.status, okrFailure(response.status, parsed, conn.url));
  }
  if (parsed === null) {
    throw new OkrServiceError(response.status, `OKR: the service at ${conn.url} did not answer JSON: is the URL right?`);
  }
  return parsed;
}

// ------------------------------------------------------------------- batching

let okrQueue = [];
let okrTimer = null;

/** Queue one function call for the next batch; resolves to its result as rows of cells. */
function okrCall(name, args, options) {
  const sent = options && options.whole ? args.map((a, i) => (i === 0 ? a : okrScalar(a))) : args.map(okrScalar);
  return new Promise((resolve, reject) => {
    okrQueue.push({ function: name, args: sent, resolve, reject });
    if (okrTimer === null) {
      okrTimer = setTimeout(okrFlush, OKR_BATCH_WINDOW_MS);
    }
  });
}

/** Send every queued call: one POST /api/v1/functions:batch per chunk of calls. */
async function okrFlush() {
  const calls = okrQueue;
  okrQueue = [];
  okrTimer = null;
  const chunks = [];
  for (let i = 0; i < calls.length; i += OKR_MAX_CALLS_PER_REQUEST) {
    chunks.push(calls.slice(i, i + OKR_MAX_CALLS_PER_REQUEST));
  }
  await Promise.all(chunks.map(okrSend));
}

async function okrSend(calls) {
  let answer;
  try {
    answer = await okrPost("/api/v1/functions:batch", {
      calls: calls.map((c) => ({ function: c.function, args: c.args })),
    });
  } catch (err) {
    const notAvailable = !(err instanceof OkrServiceError) || err.status === 0 || err.status === 401;
    const error = okrError(err.message || String(err), notAvailable);
    calls.forEach((c) => c.reject(error));
    return;
  }
  const results = Array.isArray(answer.results) ? answer.results : [];
  calls.forEach((c, i) => {
    const one = results[i];
    if (one && Object.prototype.hasOwnProperty.call(one, "result") && okrIsError(one.result)) {
      c.reject(okrCell(one.result));
    } else if (one && Object.prototype.hasOwnProperty.call(one, "result")) {
      c.resolve(okrMatrix(one.result));
    } else if (one && one.error) {
      c.reject(okrError(one.error.message || one.error.code || "OKR: the call failed", false));
    } else {
      c.reject(okrError("OKR: the service gave no answer for this call", true));
    }
  });
}

// ------------------------------------------------------------- registration

CustomFunctions.associate("PROGRESS", okrProgress);
CustomFunctions.associate("STATUS", okrStatus);
CustomFunctions.associate("CHECK", okrCheck);
CustomFunctions.associate("METRIC", okrMetric);
