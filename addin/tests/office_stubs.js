// Stand-ins for what Excel gives an add-in's shared runtime: CustomFunctions,
// OfficeRuntime.storage, Office.context.document.getFileAsync and Excel.run.
// fetch is Node's own, so the add-in talks real HTTP to the service the test runs.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const OFFICE = path.join(__dirname, "..", "office");

class CustomFunctionsError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

/** In-memory OfficeRuntime.storage with the API's async methods. */
function makeStorage(initial) {
  const items = new Map(Object.entries(initial || {}));
  return {
    items,
    async getItem(key) {
      return items.has(key) ? items.get(key) : null;
    },
    async setItem(key, value) {
      items.set(key, String(value));
    },
    async removeItem(key) {
      items.delete(key);
    },
    async getItems(keys) {
      return Object.fromEntries(keys.map((k) => [k, items.has(k) ? items.get(k) : null]));
    },
    async setItems(pairs) {
      Object.entries(pairs).forEach(([k, v]) => items.set(k, String(v)));
    },
    async removeItems(keys) {
      keys.forEach((k) => items.delete(k));
    },
  };
}

/** Office.context.document whose getFileAsync hands out *bytes* in slices, as Office does. */
function makeDocument(bytes, sliceSize) {
  return {
    getFileAsync(fileType, options, callback) {
      const size = Math.min(options.sliceSize || 4194304, sliceSize || Infinity);
      const count = Math.max(1, Math.ceil(bytes.length / size));
      const file = {
        size: bytes.length,
        sliceCount: count,
        closed: false,
        getSliceAsync(index, cb) {
          const data = Array.from(bytes.subarray(index * size, (index + 1) * size));
          setImmediate(() => cb({ status: "succeeded", value: { data, index, size: data.length } }));
        },
        closeAsync(cb) {
          file.closed = true;
          if (cb) cb({ status: "succeeded" });
        },
      };
      setImmediate(() => callback({ status: "succeeded", value: file }));
    },
  };
}

/**
 * A fresh runtime with functions.js (and taskpane.js) loaded: its globals, the
 * functions Excel would have registered, and the storage.
 */
function loadOffice({ storage, origin, document, sheets, timeoutMs } = {}) {
  const registered = {};
  const context = {
    console,
    fetch,
    AbortController,
    setTimeout,
    clearTimeout,
    setImmediate,
    Uint8Array,
    location: origin ? { origin } : undefined,
    CustomFunctions: {
      Error: CustomFunctionsError,
      ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A" },
      associate(id, fn) {
        registered[id] = fn;
      },
    },
    OfficeRuntime: { storage: makeStorage(storage) },
    Office: {
      FileType: { Compressed: "compressed" },
      AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
      context: { document: document || makeDocument(new Uint8Array(0)) },
    },
    Excel: makeExcel(sheets || {}),
  };
  vm.createContext(context);
  for (const file of ["functions.js", "taskpane.js"]) {
    let source = fs.readFileSync(path.join(OFFICE, file), "utf8");
    if (timeoutMs) source = source.replace("const OKR_TIMEOUT_MS = 20000;", `const OKR_TIMEOUT_MS = ${timeoutMs};`);
    vm.runInContext(source, context, { filename: file });
  }
  return { context, functions: registered, storage: context.OfficeRuntime.storage };
}

/** Excel.run over named sheets of values; records what was selected. */
function makeExcel(sheets) {
  const state = { active: Object.keys(sheets)[0], selected: null };
  const worksheet = (name) => ({
    name,
    isNullObject: !(name in sheets),
    load() {},
    activate() {
      state.active = name;
    },
    getUsedRange() {
      return { values: sheets[name], load() {} };
    },
    getRange(address) {
      return {
        select() {
          state.selected = `${name}!${address}`;
        },
      };
    },
  });
  return {
    state,
    run(callback) {
      const context = {
        workbook: {
          worksheets: {
            getActiveWorksheet: () => worksheet(state.active),
            getItemOrNullObject: (name) => worksheet(name),
          },
        },
        sync: async () => undefined,
      };
      return callback(context);
    },
  };
}

/** Call a registered function as Excel does: every argument a matrix. */
function asMatrix(value) {
  return Array.isArray(value) ? value : [[value]];
}

module.exports = { loadOffice, makeDocument, asMatrix, CustomFunctionsError, OFFICE };
