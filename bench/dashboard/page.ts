// What the benchmark measures inside the page. Every time is taken with
// Date.now in the page (or, for a request the benchmark sends, in Node just
// before it): the same machine and clock. An init script, run at the start
// of every document of the dashboard's origin, marks when the "Sign in"
// button, all N fleet rows and "Live updates on" first appear (a
// MutationObserver: the time right after React's commit, before paint) and
// offers waits on the table that later steps arm before they act.
// The scripts are strings: this file is compiled without the DOM library.
import { setTimeout as sleep } from "node:timers/promises";
import type { BrowserContext, Page } from "playwright-core";
import { mebibytes } from "./figures.ts";

/** What the init script marked in the current document (epoch ms), and when the document began. */
export interface DocumentMarks {
  readonly signInAt?: number;
  readonly rowsAt?: number;
  readonly liveAt?: number;
  /** performance.timeOrigin: when this document's navigation started. */
  readonly origin: number;
}

/** The init script: marks and waits for documents of `origin`, for a fleet of `rows` clusters. */
function instrumentation(origin: string, rows: number): string {
  return `(() => {
  if (location.origin !== ${JSON.stringify(origin)}) return;
  const marks = {};
  const rowCount = () => document.querySelectorAll("table tbody tr").length;
  const visibleText = (el) => {
    const copy = el.cloneNode(true);
    for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
    return (copy.textContent || "").trim();
  };
  const phaseOf = (name) => {
    const headers = [...document.querySelectorAll("table thead th")].map((h) => (h.textContent || "").trim());
    const column = headers.indexOf("Phase");
    for (const row of document.querySelectorAll("table tbody tr")) {
      const link = row.querySelector("th a");
      if (link && link.textContent === name) return row.children[column] ? visibleText(row.children[column]) : undefined;
    }
    return undefined;
  };
  const signInShown = () => [...document.querySelectorAll("button")].some((b) => (b.textContent || "").trim() === "Sign in");
  const liveShown = () => [...document.querySelectorAll('[role="status"]')].some((e) => (e.textContent || "").includes("Live updates on"));
  const first = new MutationObserver(() => {
    if (marks.signInAt === undefined && signInShown()) marks.signInAt = Date.now();
    if (marks.rowsAt === undefined && rowCount() === ${String(rows)}) marks.rowsAt = Date.now();
    if (marks.liveAt === undefined && liveShown()) marks.liveAt = Date.now();
    if (marks.rowsAt !== undefined && marks.liveAt !== undefined) first.disconnect();
  });
  first.observe(document, { subtree: true, childList: true, characterData: true });
  /** Resolves with Date.now() once check() holds, looking after each change of the DOM. */
  const waitFor = (check, timeoutMs) => new Promise((resolve, reject) => {
    if (check()) return resolve(Date.now());
    const observer = new MutationObserver(() => {
      if (!check()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(Date.now());
    });
    observer.observe(document, { subtree: true, childList: true, characterData: true });
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error("not within " + timeoutMs + " ms")); }, timeoutMs);
  });
  /** The next input event's time (capture phase, before React sees it), and when the table then has \`count\` rows. */
  const afterInput = (count, timeoutMs) => new Promise((resolve, reject) => {
    document.addEventListener("input", () => {
      const inputAt = Date.now();
      waitFor(() => rowCount() === count, timeoutMs).then((rowsAt) => resolve({ inputAt, rowsAt }), reject);
    }, { capture: true, once: true });
  });
  window.__benchMarks = marks;
  window.__bench = { rowCount, phaseOf, waitFor, afterInput };
})();`;
}

/** Installs the instrumentation in every later document of `context`. */
export async function instrument(context: BrowserContext, origin: string, rows: number): Promise<void> {
  await context.addInitScript(instrumentation(origin, rows));
}

/** The current document's marks; undefined while the page is elsewhere (the issuer) or between documents. */
async function readMarks(page: Page): Promise<DocumentMarks | undefined> {
  try {
    return await page.evaluate<DocumentMarks | undefined>("window.__benchMarks === undefined ? undefined : { ...window.__benchMarks, origin: performance.timeOrigin }");
  } catch {
    return undefined; // the document went away while we asked
  }
}

/** Polls the marks (the times come from the page, so polling adds nothing to them) until `mark` is set; throws after `timeoutMs`. */
export async function waitForMark(page: Page, mark: "signInAt" | "rowsAt" | "liveAt", timeoutMs: number): Promise<DocumentMarks> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const marks = await readMarks(page);
    if (marks?.[mark] !== undefined) return marks;
    if (performance.now() > deadline) throw new Error(`the page did not reach ${mark} within ${String(timeoutMs / 1000)} s (at ${page.url()})`);
    await sleep(50);
  }
}

/** Starts a wait in the page (kept as window.__benchPending) without waiting for it: the caller acts, then calls settle. */
export async function arm(page: Page, wait: string): Promise<void> {
  await page.evaluate(`(window.__benchPending = ${wait}, true)`);
}

/** What the armed wait resolved with. */
export async function settle<T>(page: Page): Promise<T> {
  return page.evaluate<T>("window.__benchPending");
}

/** A wait, in page code, until cluster `name`'s Phase badge says `phase`. */
export function phaseShown(name: string, phase: string, timeoutMs: number): string {
  return `window.__bench.waitFor(() => window.__bench.phaseOf(${JSON.stringify(name)}) === ${JSON.stringify(phase)}, ${String(timeoutMs)})`;
}

/** A wait, in page code, until the fleet table has `count` rows. */
export function rowsShown(count: number, timeoutMs: number): string {
  return `window.__bench.waitFor(() => window.__bench.rowCount() === ${String(count)}, ${String(timeoutMs)})`;
}

/** A wait, in page code, for the next input event and then `count` rows. */
export function rowsAfterInput(count: number, timeoutMs: number): string {
  return `window.__bench.afterInput(${String(count)}, ${String(timeoutMs)})`;
}

/** The page's memory, read through the DevTools protocol after a full garbage collection. */
export interface MemoryFigures {
  /** V8's used JS heap (Runtime.getHeapUsage) before and after HeapProfiler.collectGarbage, MiB. */
  readonly usedJSHeapMiBBeforeGC: number;
  readonly usedJSHeapMiB: number;
  readonly totalJSHeapMiB: number;
  /** performance.memory.usedJSHeapSize as the page sees it, MiB (Chromium rounds it unless --enable-precise-memory-info). */
  readonly performanceMemoryUsedMiB: number | null;
  /** Performance.getMetrics: DOM nodes and event listeners alive. */
  readonly domNodes: number | null;
  readonly jsEventListeners: number | null;
}

/** The page's JS heap and DOM size now. */
export async function memoryOf(page: Page): Promise<MemoryFigures> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const before = await cdp.send("Runtime.getHeapUsage");
    await cdp.send("HeapProfiler.collectGarbage");
    const after = await cdp.send("Runtime.getHeapUsage");
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string): number | null => metrics.find((m) => m.name === name)?.value ?? null;
    const reported = await page.evaluate<number | null>("performance.memory ? performance.memory.usedJSHeapSize : null");
    return {
      usedJSHeapMiBBeforeGC: mebibytes(before.usedSize),
      usedJSHeapMiB: mebibytes(after.usedSize),
      totalJSHeapMiB: mebibytes(after.totalSize),
      performanceMemoryUsedMiB: reported === null ? null : mebibytes(reported),
      domNodes: metric("Nodes"),
      jsEventListeners: metric("JSEventListeners"),
    };
  } finally {
    await cdp.detach();
  }
}
