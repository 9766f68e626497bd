// The benchmark's steps in the browser, each returning its figures: sign-in
// to the drawn fleet, cold loads, live updates and the label filter. A
// step's clock starts in Node just before it acts (a click, a reload, a
// status write) or at the page's own input event, and stops at the time
// the page marked (see page.ts).
import { setTimeout as sleep } from "node:timers/promises";
import type { Page, Request } from "playwright-core";
import { halfCount, halfSelector, latencies, planPhaseChanges, roundMs, type Latencies } from "./figures.ts";
import type { Fleet } from "./fleet.ts";
import { arm, phaseShown, rowsAfterInput, rowsShown, settle, waitForMark } from "./page.ts";

/** What every step needs. */
export interface StepOptions {
  readonly page: Page;
  /** Clusters in the fleet: all rows shown means this many. */
  readonly clusters: number;
  /** Bounds each wait. */
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
}

/** Sign-in to fleet: the issuer form's "Sign in" click → all rows drawn, split at the start of the /callback document. */
export interface SignInFigures {
  readonly ms: number;
  /** Click → the browser starts loading /callback (the issuer checks the password and redirects). */
  readonly clickToCallbackMs: number;
  /** /callback's start → all rows (the app loads, exchanges the code, lists projects, clusters and pools, draws). */
  readonly callbackToRowsMs: number;
  /** /callback's start → "Live updates on" (the SSE watch answered). */
  readonly callbackToLiveMs: number | null;
  /** The requests /callback's document made until then, in order: when each started after /callback's start and how long it took (the SSE watch never finishes and is not among them). */
  readonly requests: readonly RequestTiming[];
}

/** One request's place in a page load. */
export interface RequestTiming {
  /** Method and path; "issuer " before the path of a request to the issuer. */
  readonly request: string;
  readonly startMs: number;
  readonly ms: number;
}

/** The requests of `finished` that started after `origin` (epoch ms), timed; `dashboardOrigin` tells the dashboard's from the issuer's. */
function requestTimings(finished: readonly Request[], origin: number, dashboardOrigin: string): RequestTiming[] {
  return finished
    .map((r) => ({ url: new URL(r.url()), method: r.method(), timing: r.timing() }))
    .filter((r) => r.timing.startTime >= origin - 1)
    .sort((a, b) => a.timing.startTime - b.timing.startTime)
    .map((r) => ({
      request: `${r.url.origin === dashboardOrigin ? "" : "issuer "}${r.method} ${r.url.pathname}`,
      startMs: roundMs(r.timing.startTime - origin),
      ms: roundMs(r.timing.responseEnd),
    }));
}

/** From a fresh profile: the dashboard, "Sign in", the issuer's form; times its "Sign in" until all rows show. */
export async function signInToFleet(o: StepOptions & { url: string; user: string; password: string }): Promise<SignInFigures> {
  const { page } = o;
  await page.goto(o.url);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("User name").fill(o.user);
  await page.getByLabel("Password").fill(o.password);
  const finished: Request[] = [];
  const record = (request: Request): void => void finished.push(request);
  page.on("requestfinished", record);
  const clicked = Date.now();
  await page.getByRole("button", { name: "Sign in" }).click();
  const marks = await waitForMark(page, "rowsAt", o.timeoutMs);
  const rowsAt = marks.rowsAt ?? 0;
  const figures = {
    ms: roundMs(rowsAt - clicked),
    clickToCallbackMs: roundMs(marks.origin - clicked),
    callbackToRowsMs: roundMs(rowsAt - marks.origin),
    callbackToLiveMs: null as number | null,
  };
  const live = await waitForMark(page, "liveAt", o.timeoutMs);
  figures.callbackToLiveMs = roundMs((live.liveAt ?? 0) - live.origin);
  page.off("requestfinished", record);
  const requests = requestTimings(finished, marks.origin, new URL(o.url).origin);
  o.log(`sign-in → ${String(o.clusters)} rows: ${String(figures.ms)} ms (issuer and redirect ${String(figures.clickToCallbackMs)} ms, /callback → rows ${String(figures.callbackToRowsMs)} ms; live updates on after ${String(figures.callbackToLiveMs)} ms)`);
  for (const r of requests) o.log(`  ${r.request}: +${String(r.startMs)} ms, took ${String(r.ms)} ms`);
  return { ...figures, requests };
}

/** Cold loads: reload → all rows, and its parts, over several loads. */
export interface ColdLoadFigures {
  readonly loads: number;
  readonly ms: Latencies;
  /** Reload → /callback's start: the page keeps no token, so it goes back through the issuer, whose session signs the user in without the form. */
  readonly reloadToCallbackMs: Latencies;
  /** /callback's start → all rows. */
  readonly callbackToRowsMs: Latencies;
}

/** Reloads the signed-in fleet `loads` times and times until all rows show again, with no click: the page signs back in by itself. */
export async function coldLoads(o: StepOptions & { loads: number }): Promise<ColdLoadFigures> {
  const { page } = o;
  const total: number[] = [];
  const toCallback: number[] = [];
  const toRows: number[] = [];
  for (let load = 0; load < o.loads; load++) {
    const via = { issuer: false };
    const seen = (request: { url(): string }): void => {
      if (new URL(request.url()).pathname.startsWith("/auth")) via.issuer = true;
    };
    page.on("request", seen);
    const started = Date.now();
    await page.reload();
    const marks = await waitForMark(page, "rowsAt", o.timeoutMs);
    page.off("request", seen);
    if (!via.issuer) throw new Error("the fleet was drawn without going through the issuer: the reload kept the tokens");
    const rowsAt = marks.rowsAt ?? 0;
    total.push(rowsAt - started);
    toCallback.push(marks.origin - started);
    toRows.push(rowsAt - marks.origin);
    o.log(`cold load ${String(load + 1)}/${String(o.loads)}: ${String(roundMs(rowsAt - started))} ms to ${String(o.clusters)} rows (reload → /callback ${String(roundMs(marks.origin - started))} ms through the issuer's session, /callback → rows ${String(roundMs(rowsAt - marks.origin))} ms)`);
  }
  return { loads: o.loads, ms: latencies(total), reloadToCallbackMs: latencies(toCallback), callbackToRowsMs: latencies(toRows) };
}

/** Live updates: a status write through the management API → the row's Phase badge. */
export interface LiveUpdateFigures {
  readonly changes: number;
  /** Write sent → badge shows the new phase. */
  readonly ms: Latencies;
  /** The status write's own round trip (sent → the API answered), for comparison. */
  readonly writeMs: Latencies;
}

/** Makes `changes` phase changes round-robin over the fleet and times each until the page shows it. */
export async function liveUpdates(o: StepOptions & { fleet: Fleet; changes: number }): Promise<LiveUpdateFigures> {
  const { page } = o;
  await waitForMark(page, "liveAt", o.timeoutMs);
  const seen: number[] = [];
  const writes: number[] = [];
  for (const change of planPhaseChanges(o.changes, o.clusters)) {
    await arm(page, phaseShown(change.cluster, change.phase, o.timeoutMs));
    const sent = Date.now();
    await o.fleet.setPhase(change.cluster, change.phase);
    writes.push(Date.now() - sent);
    const shownAt = await settle<number>(page);
    seen.push(shownAt - sent);
    // Apart, so one change's re-render does not delay the next one's.
    await sleep(100);
  }
  const figures = { changes: o.changes, ms: latencies(seen), writeMs: latencies(writes) };
  o.log(`live updates: ${String(o.changes)} phase changes, write → badge p50 ${String(figures.ms.p50)} ms, p99 ${String(figures.ms.p99)} ms (the write itself p50 ${String(figures.writeMs.p50)} ms)`);
  return figures;
}

/** The Labels filter: typing a selector that matches half the fleet, and clearing it. */
export interface FilterFigures {
  readonly selector: string;
  readonly rounds: number;
  readonly matching: number;
  /** The last character's input event → the table shows the half (the text before it matched nothing: the table was empty). */
  readonly lastKeyToRowsMs: Latencies;
  /** Clearing the field (one input event) → all rows again. */
  readonly clearToAllRowsMs: Latencies;
  /** Typing the whole selector key by key (the driver's key presses included) → the half shown. */
  readonly typingMs: Latencies;
}

/** Types the half selector into Labels and clears it, `rounds` times, timing each in the page. */
export async function filterLatency(o: StepOptions & { rounds: number }): Promise<FilterFigures> {
  const { page } = o;
  const half = halfCount(o.clusters);
  const field = page.getByLabel("Labels", { exact: true });
  const lastKey: number[] = [];
  const cleared: number[] = [];
  const typing: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    const started = Date.now();
    await field.pressSequentially(halfSelector.slice(0, -1));
    // "bench-half=eve" matches no cluster: the table is gone.
    await arm(page, rowsShown(0, o.timeoutMs));
    await settle<number>(page);
    await arm(page, rowsAfterInput(half, o.timeoutMs));
    await field.press(halfSelector.slice(-1));
    const typed = await settle<{ inputAt: number; rowsAt: number }>(page);
    lastKey.push(typed.rowsAt - typed.inputAt);
    typing.push(typed.rowsAt - started);
    await arm(page, rowsAfterInput(o.clusters, o.timeoutMs));
    await field.fill("");
    const all = await settle<{ inputAt: number; rowsAt: number }>(page);
    cleared.push(all.rowsAt - all.inputAt);
    o.log(`filter ${String(round + 1)}/${String(o.rounds)}: "${halfSelector}" last key → ${String(half)} rows ${String(roundMs(typed.rowsAt - typed.inputAt))} ms, cleared → ${String(o.clusters)} rows ${String(roundMs(all.rowsAt - all.inputAt))} ms`);
  }
  return { selector: halfSelector, rounds: o.rounds, matching: half, lastKeyToRowsMs: latencies(lastKey), clearToAllRowsMs: latencies(cleared), typingMs: latencies(typing) };
}
