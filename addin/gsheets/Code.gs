/**
 * OKR functions and menu for Google Sheets, calling the okr-sheets service.
 *
 * Custom functions (each takes whole ranges and makes ONE service call per
 * range, never one per cell, so a recalculation does not spend the UrlFetch
 * quota):
 *   =OKR_PROGRESS(H2:H200, J2:J200, K2:K200, L2:L200)
 *   =OKR_STATUS(Q2:Q200, G2:G200, TODAY())
 *   =OKR_CHECK(A1:T200)
 *   =OKR_METRIC(R2:R200, G2:G200)      values kept in CacheService for
 *                                       OKR_METRIC_CACHE_SECONDS
 *
 * The OKR menu: Connect (service URL, token and department code, kept in
 * this user's properties), Check this sheet (a sidebar listing the problems,
 * each linking to its cell), Submit to company (the sheet's rows as a new
 * version of the department's workbook), Refresh metrics (writes Current and
 * As of from the service into this sheet, as values).
 *
 * `okr addin gsheets --url URL` writes this file with OKR_SERVICE_URL filled in.
 */

var OKR_SERVICE_URL = "";
var OKR_METRIC_CACHE_SECONDS = 600;
var OKR_PROPERTY_URL = "okr.serviceUrl";
var OKR_PROPERTY_TOKEN = "okr.token";
var OKR_PROPERTY_DEPARTMENT = "okr.department";
var OKR_CELL = /^[A-Z]{1,3}[0-9]{1,7}$/;

// ---------------------------------------------------------------- functions

/**
 * Progress of key results between 0 and 1, as the template's Progress column computes it.
 * @param {string|Array<Array<string>>} direction increase, decrease, at least, at most or milestone
 * @param {number|Array<Array<number>>} baseline where each key result started
 * @param {number|Array<Array<number>>} target where it should end
 * @param {number|Array<Array<number>>} current where it is now
 * @return progress, one per row
 * @customfunction
 */
function OKR_PROGRESS(direction, baseline, target, current) {
  return okrFunction_("OKR_PROGRESS", [direction, baseline, target, current]);
}

/**
 * Status of key results: on track, at risk, off track or not started.
 * @param {number|Array<Array<number>>} progress progress between 0 and 1
 * @param {string|Array<Array<string>>} period 2026, 2026-H2, 2026-Q4 or 2026-11
 * @param {Date} [asOf] the evaluation date; empty means today
 * @return the status, one per row
 * @customfunction
 */
function OKR_STATUS(progress, period, asOf) {
  return okrFunction_("OKR_STATUS", [progress, period, okrOptional_(asOf)]);
}

/**
 * The cascade check of an OKR table: one line of problems per row, headed Problems.
 * @param {Array<Array<string>>} table the whole OKR table including its header row
 * @param {Array<Array<string>>} [parents] IDs of the level above
 * @return problem messages, one per row of the table
 * @customfunction
 */
function OKR_CHECK(table, parents) {
  return okrFunction_("OKR_CHECK", [table, okrOptional_(parents)]);
}

/**
 * The latest value of metrics from the registry (cached for a few minutes).
 * @param {string|Array<Array<string>>} name metric names from okr.toml
 * @param {string|Array<Array<string>>} [period] the key results' periods
 * @return the latest values
 * @customfunction
 */
function OKR_METRIC(name, period) {
  var when = okrOptional_(period);
  var names = okrGrid_(name);
  var periods = when === null ? null : okrGrid_(when);
  var height = Math.max(names.length, periods ? periods.length : 1);
  var width = Math.max(names[0].length, periods ? periods[0].length : 1);
  var keys = [];
  var cells = [];
  for (var r = 0; r < height; r++) {
    for (var c = 0; c < width; c++) {
      var n = okrPick_(names, r, c);
      var p = periods ? okrPick_(periods, r, c) : "";
      cells.push([r, c, n, p]);
      keys.push(okrCacheKey_(n, p));
    }
  }
  var cache = CacheService.getUserCache();
  var cached = cache.getAll(keys);
  var missing = [];
  var seen = {};
  cells.forEach(function (cell, i) {
    if (!(keys[i] in cached) && !(keys[i] in seen) && String(cell[2]).trim() !== "") {
      seen[keys[i]] = true;
      missing.push(cell);
    }
  });
  if (missing.length) {
    var answer = okrPost_("/api/v1/functions/OKR_METRIC", {
      args: [missing.map(function (m) { return [m[2]]; }), missing.map(function (m) { return [m[3]]; })],
    });
    var fresh = {};
    missing.forEach(function (m, i) {
      var value = answer.result[i][0];
      if (!okrIsError_(value)) {
        fresh[okrCacheKey_(m[2], m[3])] = JSON.stringify(value);
      }
      cached[okrCacheKey_(m[2], m[3])] = JSON.stringify(value);
    });
    if (Object.keys(fresh).length) {
      cache.putAll(fresh, OKR_METRIC_CACHE_SECONDS);
    }
  }
  var out = [];
  for (var rr = 0; rr < height; rr++) {
    out.push([]);
  }
  cells.forEach(function (cell, i) {
    var text = cached[keys[i]];
    out[cell[0]][cell[1]] = text === undefined ? "" : okrShown_(JSON.parse(text));
  });
  if (!Array.isArray(name) && !Array.isArray(period)) {
    var only = out[0][0];
    if (typeof only === "string" && only.indexOf("#ERROR ") === 0) {
      throw new Error(only.slice(7));
    }
    return only;
  }
  return out;
}

// ------------------------------------------------------------------ helpers

/** One call of *name* with *args* (scalars or ranges) to the service: its result. */
function okrFunction_(name, args) {
  var answer = okrPost_("/api/v1/functions/" + name, { args: args.map(okrValue_) });
  var result = answer.result;
  if (okrIsError_(result)) {
    throw new Error(result.error.message);
  }
  return Array.isArray(result) ? result.map(function (row) { return row.map(okrShown_); }) : okrShown_(result);
}

/** An omitted optional argument as null. */
function okrOptional_(value) {
  return value === undefined ? null : value;
}

/** Dates as ISO text (the service takes ISO text or serials), everything else as it is. */
function okrValue_(value) {
  if (Array.isArray(value)) {
    return value.map(okrValue_);
  }
  if (value instanceof Date) {
    return Utilities.formatDate(value, Session.getScriptTimeZone(), "yyyy-MM-dd");
  }
  return value;
}

/** A result cell as the sheet shows it: null as empty, a cell's error as its message. */
function okrShown_(value) {
  if (value === null || value === undefined) {
    return "";
  }
  if (okrIsError_(value)) {
    return "#ERROR " + value.error.message;
  }
  return value;
}

function okrIsError_(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof value.error === "object";
}

function okrGrid_(value) {
  return Array.isArray(value) ? value.map(function (row) { return Array.isArray(row) ? row : [row]; }) : [[value]];
}

function okrPick_(grid, r, c) {
  var row = grid[grid.length === 1 ? 0 : r];
  var cell = row[row.length === 1 ? 0 : c];
  return cell === null || cell === undefined ? "" : cell;
}

function okrCacheKey_(name, period) {
  // Cache keys are at most 250 characters; metric names and periods are short.
  return ("okr.metric|" + String(name).trim() + "|" + String(period).trim()).slice(0, 250);
}

/** The service URL and token of this user; an Error saying how to connect when missing. */
function okrConnection_() {
  var props = PropertiesService.getUserProperties();
  var url = String(props.getProperty(OKR_PROPERTY_URL) || OKR_SERVICE_URL || "").replace(/\/+$/, "");
  var token = props.getProperty(OKR_PROPERTY_TOKEN) || "";
  if (!url) {
    throw new Error("OKR: not connected: use the menu OKR > Connect and enter the service URL");
  }
  if (!token) {
    throw new Error("OKR: not connected: use the menu OKR > Connect and paste your token");
  }
  return { url: url, token: token };
}

/** POST *body* as JSON to *path* on the service; the parsed answer, or an Error with one line. */
function okrPost_(path, body) {
  return okrFetch_(path, {
    method: "post",
    contentType: "application/json",
    payload: JSON.stringify(body),
  });
}

function okrGet_(path) {
  return okrFetch_(path, { method: "get" });
}

function okrFetch_(path, options) {
  var conn = okrConnection_();
  options.headers = { Authorization: "Bearer " + conn.token };
  options.muteHttpExceptions = true;
  var response;
  try {
    response = UrlFetchApp.fetch(conn.url + path, options);
  } catch (err) {
    throw new Error("OKR: the service at " + conn.url + " cannot be reached: check the URL in OKR > Connect");
  }
  var status = response.getResponseCode();
  var parsed = null;
  try {
    parsed = JSON.parse(response.getContentText());
  } catch (err) {
    parsed = null;
  }
  if (status === 401) {
    throw new Error("OKR: the service refused the token (401): use OKR > Connect and paste a valid token");
  }
  if (status < 200 || status >= 300) {
    var said = parsed && parsed.error ? ": " + parsed.error.message : "";
    throw new Error("OKR: the service answered " + status + said);
  }
  if (parsed === null) {
    throw new Error("OKR: the service at " + conn.url + " did not answer JSON: is the URL right?");
  }
  return parsed;
}

// --------------------------------------------------------------------- menu

/** Adds the OKR menu when the spreadsheet opens. */
function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu("OKR")
    .addItem("Connect…", "okrConnect")
    .addItem("Check this sheet", "okrCheckSheet")
    .addItem("Submit to company", "okrSubmit")
    .addItem("Refresh metrics", "okrRefreshMetrics")
    .addToUi();
}

/** Menu OKR > Connect: a dialog for the service URL, the token and the department code. */
function okrConnect() {
  var props = PropertiesService.getUserProperties();
  var url = props.getProperty(OKR_PROPERTY_URL) || OKR_SERVICE_URL;
  var department = props.getProperty(OKR_PROPERTY_DEPARTMENT) || "";
  var html =
    '<form onsubmit="event.preventDefault();google.script.run.withSuccessHandler(function(){google.script.host.close();})' +
    ".okrSaveConnection(this.url.value,this.token.value,this.department.value);\">" +
    '<p><label>Service URL<br><input name="url" style="width:100%" value="' + okrEscape_(url) + '"></label></p>' +
    '<p><label>Token<br><input name="token" type="password" style="width:100%" placeholder="' +
    (props.getProperty(OKR_PROPERTY_TOKEN) ? "(saved; paste to replace)" : "from okr token add") + '"></label></p>' +
    '<p><label>Department code<br><input name="department" style="width:100%" value="' + okrEscape_(department) + '"></label></p>' +
    '<p><button type="submit">Connect</button></p></form>';
  SpreadsheetApp.getUi().showModalDialog(HtmlService.createHtmlOutput(html).setWidth(360).setHeight(260), "Connect to OKR");
}

/** Saves the connection (called from the Connect dialog); an empty token keeps the saved one. */
function okrSaveConnection(url, token, department) {
  var props = PropertiesService.getUserProperties();
  var values = {};
  values[OKR_PROPERTY_URL] = String(url || "").trim().replace(/\/+$/, "");
  values[OKR_PROPERTY_DEPARTMENT] = String(department || "").trim();
  if (String(token || "").trim()) {
    values[OKR_PROPERTY_TOKEN] = String(token).trim();
  }
  props.setProperties(values);
  return true;
}

/** The active sheet's values (header included) with dates as ISO text. */
function okrSheetRows_(sheet) {
  return okrValue_(sheet.getDataRange().getValues());
}

/** The problems of the active sheet, as the service checks them. */
function okrProblems_(sheet) {
  var answer = okrPost_("/api/v1/check", { rows: okrSheetRows_(sheet) });
  return answer.problems || [];
}

/** Menu OKR > Check this sheet: a sidebar listing the problems, each a link to its cell. */
function okrCheckSheet() {
  var sheet = SpreadsheetApp.getActiveSheet();
  var problems = okrProblems_(sheet);
  SpreadsheetApp.getUi().showSidebar(HtmlService.createHtmlOutput(okrProblemsHtml_(problems)).setTitle("OKR problems"));
  return problems;
}

function okrProblemsHtml_(problems) {
  if (!problems.length) {
    return "<p>No problems.</p>";
  }
  var items = problems.map(function (p) {
    var colour = p.severity === "error" ? "#a4262c" : "#8a6d00";
    // Only a plain address goes into the link's script; anything else links nowhere.
    var cell = OKR_CELL.test(String(p.cell || "")) ? p.cell : "";
    return (
      '<li><a href="#" style="color:' + colour + '" onclick="google.script.run.okrSelectCell(\'' +
      cell + "');return false;\">" + okrEscape_((p.cell ? p.cell + " · " : "") + p.message) +
      "</a></li>"
    );
  });
  return "<p>" + problems.length + " problem(s):</p><ul>" + items.join("") + "</ul>";
}

/** Selects *cell* on the active sheet (a problem's link in the sidebar). */
function okrSelectCell(cell) {
  if (OKR_CELL.test(String(cell))) {
    SpreadsheetApp.getActiveSheet().getRange(cell).activate();
  }
}

/** Menu OKR > Submit to company: the sheet's rows become the department's new version. */
function okrSubmit() {
  var department = PropertiesService.getUserProperties().getProperty(OKR_PROPERTY_DEPARTMENT) || "";
  if (!department) {
    throw new Error("OKR: no department code: use OKR > Connect and enter it (e.g. sales)");
  }
  var sheet = SpreadsheetApp.getActiveSheet();
  var answer = okrPost_("/api/v1/departments/" + encodeURIComponent(department) + "/rows", {
    rows: okrSheetRows_(sheet),
  });
  var problems = answer.problems || [];
  SpreadsheetApp.getActive().toast(
    "Submitted as version " + answer.version + "; " + problems.length + " problem(s).",
    "OKR"
  );
  return answer;
}

/** Menu OKR > Refresh metrics: writes Current and As of of every row with a Metric, as values. */
function okrRefreshMetrics() {
  var sheet = SpreadsheetApp.getActiveSheet();
  var rows = sheet.getDataRange().getValues();
  var header = -1;
  var col = {};
  for (var r = 0; r < rows.length && header < 0; r++) {
    var names = rows[r].map(function (v) { return String(v).trim().toLowerCase(); });
    if (names.indexOf("metric") >= 0 && names.indexOf("current") >= 0) {
      header = r;
      names.forEach(function (n, i) { col[n] = i; });
    }
  }
  if (header < 0) {
    throw new Error("OKR: no header row with Metric and Current on sheet " + sheet.getName());
  }
  var answer = okrGet_("/api/v1/metrics");
  // The latest value per metric and period; a metric measured for no period fits any row.
  var latest = {};
  (answer.metrics || []).forEach(function (m) {
    if (m.value !== null && m.value !== undefined) {
      latest[m.name + "|" + (m.period || "")] = m;
    }
  });
  var written = 0;
  for (var i = header + 1; i < rows.length; i++) {
    var metric = String(rows[i][col.metric] || "").trim();
    var period = "period" in col ? String(rows[i][col.period] || "").trim() : "";
    var found = latest[metric + "|" + period] || latest[metric + "|"];
    if (!metric || !found || found.value === null || found.value === undefined) {
      continue;
    }
    sheet.getRange(i + 1, col.current + 1).setValue(okrAsValue_(found.value));
    if ("as of" in col && found.as_of) {
      sheet.getRange(i + 1, col["as of"] + 1).setValue(okrAsValue_(found.as_of));
    }
    written += 1;
  }
  SpreadsheetApp.getActive().toast(written + " key result(s) refreshed.", "OKR");
  return written;
}

/** Text from outside as a value, never a formula: a leading = + - @ gets an apostrophe. */
function okrAsValue_(value) {
  return typeof value === "string" && /^[=+\-@]/.test(value) ? "'" + value : value;
}

function okrEscape_(text) {
  return String(text).replace(/[&<>"']/g, function (ch) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
  });
}
