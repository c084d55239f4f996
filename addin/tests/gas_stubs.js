// Stand-ins for the Apps Script services Code.gs uses: SpreadsheetApp (one sheet of
// values), HtmlService, PropertiesService, CacheService (with expiry) and
// UrlFetchApp, which makes real, blocking HTTP requests (sync_fetch.js), as
// UrlFetchApp.fetch blocks in Apps Script.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { fetchSync } = require("./sync_fetch.js");

const CODE = path.join(__dirname, "..", "gsheets", "Code.gs");

/** A1 notation ("K14") as 1-based [row, column]. */
function parseA1(a1) {
  const m = /^([A-Z]+)(\d+)$/.exec(a1);
  if (!m) throw new Error(`Exception: Range not found: ${a1}`);
  const col = [...m[1]].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
  return [Number(m[2]), col];
}

function makeSheet(name, values, log) {
  const sheet = {
    name,
    values,
    getName: () => name,
    getDataRange: () => ({ getValues: () => sheet.values.map((r) => r.slice()) }),
    getRange(row, col) {
      const [r, c] = typeof row === "string" ? parseA1(row) : [row, col];
      return {
        setValue(value) {
          while (sheet.values.length < r) sheet.values.push([]);
          sheet.values[r - 1][c - 1] = value;
          log.writes.push([r, c, value]);
        },
        activate() {
          log.activated = typeof row === "string" ? row : `R${r}C${c}`;
        },
      };
    },
  };
  return sheet;
}

function makeCache(clock) {
  const items = new Map();
  const live = (key) => {
    const item = items.get(key);
    if (item && item.expires > clock.now) return item.value;
    items.delete(key);
    return null;
  };
  return {
    items,
    get: live,
    getAll(keys) {
      const out = {};
      keys.forEach((k) => {
        const v = live(k);
        if (v !== null) out[k] = v;
      });
      return out;
    },
    put(key, value, seconds) {
      items.set(key, { value: String(value), expires: clock.now + (seconds || 600) * 1000 });
    },
    putAll(values, seconds) {
      Object.entries(values).forEach(([k, v]) => this.put(k, v, seconds));
    },
  };
}

function makeProperties(initial) {
  const items = new Map(Object.entries(initial || {}));
  return {
    items,
    getProperty: (k) => (items.has(k) ? items.get(k) : null),
    setProperty(k, v) {
      items.set(k, String(v));
      return this;
    },
    setProperties(pairs) {
      Object.entries(pairs).forEach(([k, v]) => items.set(k, String(v)));
      return this;
    },
    deleteProperty(k) {
      items.delete(k);
      return this;
    },
  };
}

/** UrlFetchApp.fetch as Apps Script does it: blocking; throws on no answer and, unless muted, on >= 400. */
function makeUrlFetch(log) {
  return {
    fetch(url, params = {}) {
      const method = (params.method || "get").toUpperCase();
      const headers = { ...(params.headers || {}) };
      if (params.contentType) headers["Content-Type"] = params.contentType;
      log.requests.push({ method, url });
      const answer = fetchSync(url, { method, headers, body: method === "GET" ? undefined : params.payload });
      if (answer.failed) throw new Error(`Exception: Address unavailable: ${url}`);
      if (answer.status >= 400 && !params.muteHttpExceptions) {
        throw new Error(`Exception: Request failed for ${url} returned code ${answer.status}`);
      }
      return {
        getResponseCode: () => answer.status,
        getContentText: () => answer.body,
        getHeaders: () => answer.headers,
      };
    },
  };
}

/**
 * A fresh script project with Code.gs loaded over one sheet of *values*:
 * its globals, the sheet, the user properties, the cache, a clock and a log
 * of requests, writes, menus and dialogs.
 */
function loadAppsScript({ properties, values, sheetName, serviceUrl } = {}) {
  const clock = { now: Date.now() };
  const log = { requests: [], writes: [], toasts: [], sidebars: [], dialogs: [], menus: [], activated: null };
  const sheet = makeSheet(sheetName || "OKRs", values || [[]], log);
  const userProperties = makeProperties(properties);
  const cache = makeCache(clock);
  const html = (content) => {
    const out = { content, title: "", setTitle: (t) => ((out.title = t), out), setWidth: () => out, setHeight: () => out };
    out.getContent = () => content;
    return out;
  };
  const context = {
    console,
    JSON,
    Date,
    SpreadsheetApp: {
      getActiveSheet: () => sheet,
      getActive: () => ({ toast: (text, title) => log.toasts.push([title, text]) }),
      getUi: () => ({
        createMenu(title) {
          const menu = { title, items: [] };
          const chain = {
            addItem: (label, fn) => (menu.items.push([label, fn]), chain),
            addSeparator: () => chain,
            addToUi: () => log.menus.push(menu),
          };
          return chain;
        },
        showSidebar: (out) => log.sidebars.push(out),
        showModalDialog: (out, title) => log.dialogs.push([title, out]),
      }),
    },
    HtmlService: { createHtmlOutput: html },
    PropertiesService: { getUserProperties: () => userProperties },
    CacheService: { getUserCache: () => cache },
    UrlFetchApp: makeUrlFetch(log),
    Session: { getScriptTimeZone: () => "Etc/UTC" },
    Utilities: {
      formatDate: (date, tz, format) => {
        if (format !== "yyyy-MM-dd") throw new Error("stub: only yyyy-MM-dd");
        return date.toISOString().slice(0, 10);
      },
    },
  };
  vm.createContext(context);
  let source = fs.readFileSync(CODE, "utf8");
  if (serviceUrl) source = source.replace('var OKR_SERVICE_URL = "";', `var OKR_SERVICE_URL = ${JSON.stringify(serviceUrl)};`);
  vm.runInContext(source, context, { filename: "Code.gs" });
  return { gs: context, sheet, properties: userProperties, cache, clock, log };
}

module.exports = { loadAppsScript, parseA1 };
