/*
 * The task pane: connect (service URL, token and department kept in
 * OfficeRuntime.storage through functions.js), check the current sheet
 * (POST /api/v1/check with its rows; the problems link to their cells) and
 * submit the workbook (Office.context.document.getFileAsync, then the raw
 * bytes to POST /api/v1/departments/<CODE>/workbook).
 *
 * It runs in the shared runtime beside functions.js and uses its okrPost,
 * okrSettings and okrConnect. The work is in plain functions (okrCheckRows,
 * okrReadDocument, okrSubmitWorkbook); the page only wires them to buttons.
 */

/* global Office, Excel, OfficeRuntime, document, okrPost, okrSettings, okrConnect,
   okrDisconnect, OkrServiceError, OKR_TIMEOUT_MS */

const OKR_STORAGE_DEPARTMENT = "okr.department";
const OKR_SLICE_BYTES = 4 * 1024 * 1024;
const OKR_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Problems of *rows* (the sheet's used range, header included) as the service checks them. */
async function okrCheckRows(rows, sheet) {
  const answer = await okrPost("/api/v1/check", { rows: rows });
  return Array.isArray(answer.problems) ? answer.problems : [];
}

/** The whole workbook as bytes, read slice by slice through getFileAsync. */
function okrReadDocument(officeDocument) {
  return new Promise((resolve, reject) => {
    officeDocument.getFileAsync(Office.FileType.Compressed, { sliceSize: OKR_SLICE_BYTES }, (opened) => {
      if (opened.status !== Office.AsyncResultStatus.Succeeded) {
        reject(new Error("OKR: the workbook could not be read: " + opened.error.message));
        return;
      }
      const file = opened.value;
      const parts = [];
      const next = (index) => {
        if (index === file.sliceCount) {
          file.closeAsync();
          resolve(okrJoin(parts));
          return;
        }
        file.getSliceAsync(index, (sliced) => {
          if (sliced.status !== Office.AsyncResultStatus.Succeeded) {
            file.closeAsync();
            reject(new Error("OKR: the workbook could not be read: " + sliced.error.message));
            return;
          }
          parts.push(Uint8Array.from(sliced.value.data));
          next(index + 1);
        });
      };
      next(0);
    });
  });
}

function okrJoin(parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  parts.forEach((p) => {
    bytes.set(p, at);
    at += p.length;
  });
  return bytes;
}

/**
 * Submit *bytes* (an .xlsx) as department *code*'s new version; the service's
 * answer ({"version", "problems"}). Throws OkrServiceError with a one-line message.
 */
async function okrSubmitWorkbook(code, bytes) {
  const department = String(code || "").trim();
  if (!department) {
    throw new OkrServiceError(400, "OKR: enter your department code (e.g. sales) in the task pane first");
  }
  const conn = await okrSettings();
  if (!conn.url || !conn.token) {
    throw new OkrServiceError(401, "OKR: not connected: enter the service URL and your token, then Connect");
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), OKR_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(`${conn.url}/api/v1/departments/${encodeURIComponent(department)}/workbook`, {
      method: "POST",
      headers: { "Content-Type": OKR_XLSX_TYPE, Authorization: "Bearer " + conn.token },
      body: bytes,
      signal: controller.signal,
    });
  } catch (err) {
    throw new OkrServiceError(0, `OKR: the service at ${conn.url} cannot be reached: check the network or the URL`);
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    body = null;
  }
  if (!response.ok) {
    const said = body && body.error ? body.error.message : `status ${response.status}`;
    throw new OkrServiceError(response.status, `OKR: the workbook was not accepted (${response.status}): ${said}`);
  }
  return body || {};
}

/** One line per problem: "K14 · message", with its severity, for the list. */
function okrProblemLine(problem) {
  const where = [problem.sheet, problem.cell].filter(Boolean).join("!");
  return (where ? where + " · " : "") + problem.message;
}

// ------------------------------------------------------------------- the page

function okrShow(text, isError) {
  const box = document.getElementById("message");
  box.textContent = text;
  box.className = isError ? "error" : "";
}

function okrListProblems(problems) {
  const list = document.getElementById("problems");
  list.replaceChildren();
  problems.forEach((p) => {
    const item = document.createElement("li");
    item.className = p.severity === "error" ? "error" : "warning";
    const link = document.createElement("a");
    link.href = "#";
    link.textContent = okrProblemLine(p);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      okrSelect(p.sheet, p.cell);
    });
    item.appendChild(link);
    list.appendChild(item);
  });
}

/** Select *cell* on *sheet* (or the active sheet), so a problem's link takes you there. */
function okrSelect(sheet, cell) {
  if (!cell) {
    return Promise.resolve();
  }
  return Excel.run(async (context) => {
    const book = context.workbook.worksheets;
    const target = sheet ? book.getItemOrNullObject(sheet) : book.getActiveWorksheet();
    await context.sync();
    const ws = target.isNullObject ? book.getActiveWorksheet() : target;
    ws.activate();
    ws.getRange(cell).select();
    await context.sync();
  });
}

/** The active sheet's name and used range values. */
function okrActiveRows() {
  return Excel.run(async (context) => {
    const ws = context.workbook.worksheets.getActiveWorksheet();
    const used = ws.getUsedRange(true);
    ws.load("name");
    used.load("values");
    await context.sync();
    return { sheet: ws.name, rows: used.values };
  });
}

async function okrOnCheck() {
  okrShow("Checking…");
  try {
    const { sheet, rows } = await okrActiveRows();
    const problems = await okrCheckRows(rows, sheet);
    okrListProblems(problems);
    okrShow(problems.length ? `${problems.length} problem(s):` : "No problems.");
  } catch (err) {
    okrShow(err.message || String(err), true);
  }
}

async function okrOnSubmit() {
  okrShow("Submitting…");
  try {
    const code = document.getElementById("department").value;
    await OfficeRuntime.storage.setItem(OKR_STORAGE_DEPARTMENT, code.trim());
    const bytes = await okrReadDocument(Office.context.document);
    const answer = await okrSubmitWorkbook(code, bytes);
    const problems = answer.problems || [];
    okrListProblems(problems);
    okrShow(`Submitted as version ${answer.version}; ${problems.length} problem(s).`);
  } catch (err) {
    okrShow(err.message || String(err), true);
  }
}

async function okrOnConnect(event) {
  event.preventDefault();
  const url = document.getElementById("url").value;
  // An empty token field keeps the saved token (the field is cleared after Connect).
  const token = document.getElementById("token").value || (await okrSettings()).token;
  await okrConnect(url, token);
  await OfficeRuntime.storage.setItem(OKR_STORAGE_DEPARTMENT, document.getElementById("department").value.trim());
  document.getElementById("token").value = "";
  okrShow("Connected. Recalculate (Ctrl+Alt+F9) to refresh the OKR functions.");
}

async function okrFillForm() {
  const conn = await okrSettings();
  document.getElementById("url").value = conn.url;
  document.getElementById("token").placeholder = conn.token ? "(saved; paste to replace)" : "from okr token add";
  document.getElementById("token").required = !conn.token;
  document.getElementById("department").value = (await OfficeRuntime.storage.getItem(OKR_STORAGE_DEPARTMENT)) || "";
}

if (typeof Office !== "undefined" && typeof document !== "undefined" && Office.onReady) {
  Office.onReady(() => {
    document.getElementById("connect").addEventListener("submit", okrOnConnect);
    document.getElementById("disconnect").addEventListener("click", async () => {
      await okrDisconnect();
      okrShow("Disconnected: the token is forgotten.");
    });
    document.getElementById("check").addEventListener("click", okrOnCheck);
    document.getElementById("submit").addEventListener("click", okrOnSubmit);
    okrFillForm();
  });
}
