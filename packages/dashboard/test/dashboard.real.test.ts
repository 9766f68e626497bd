// The dashboard in a real browser (Debian's Chromium driven by
// playwright-core) against `seedbed up`'s real services: the issuer's login
// form, the REST API with each user's own token, live updates through the
// SSE watch, a kubeconfig that works with kubectl. Screenshots of the main
// screens are written to $SEEDBED_ARTIFACTS/dashboard (test-artifacts/ by
// default). The tests run in order and share alice's cluster; later ones
// create it through the API if the first failed before it could.

import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@seedbed/testing";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describedByText, launchBrowser, newSession, openSignedIn, phone, screenshot, seriousAccessibilityProblems, signIn } from "./browser.ts";
import { createClusterControl, fleetCell, fleetRow, firstCells, focusedElement, focusTopOfPage, markDocument, navLink, overflowsHorizontally, sameDocument } from "./pages.ts";
import { idTokenOf, kubectl, seedbed, startPlatform, type Platform } from "./platform.ts";

/** alice's cluster in project a, made with the wizard; the other users look at it. */
const cluster = "web";
const pool = "workers";

/** The phases the fleet row of `name` shows, in order, until it shows Running. */
async function phasesUntilRunning(page: Page, name: string): Promise<string[]> {
  const phases: string[] = [];
  await eventually(async () => {
    const phase = await fleetCell(page, name, "Phase");
    if (phases.at(-1) !== phase) phases.push(phase);
    return phase;
  }, (phase) => phase === "Running", { timeoutMs: 240_000, intervalMs: 200, description: `the fleet row of ${name} showing Running` });
  return phases;
}

describe("the dashboard in a real browser", () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  function up(): Platform {
    if (platform === undefined) throw new Error("seedbed up did not start");
    return platform;
  }

  async function session(): Promise<Page> {
    if (browser === undefined) throw new Error("Chromium did not start");
    const { context, page } = await newSession(browser);
    contexts.push(context);
    return page;
  }

  /** A signed-in page on the dashboard's start (the fleet). */
  async function signedIn(user: string): Promise<Page> {
    const page = await session();
    await openSignedIn(page, up().dashboardURL, user, up().password(user));
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    return page;
  }

  /** Calls the REST API as `user`, as the dashboard does: the ID token as bearer. */
  async function api(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${up().apiURL}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${await idTokenOf(up(), user)}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  /** The NodePools of alice's cluster, read as the platform admin. */
  function poolsOfCluster(): { name: string; replicas: number }[] {
    const got = kubectl(up(), up().managementKubeconfig, "get", "nodepools", "-n", "project-a", "-o", "json");
    if (got.status !== 0) throw new Error(got.stderr);
    const list = JSON.parse(got.stdout) as { items: { metadata: { name: string }; spec: { clusterName: string; replicas: number } }[] };
    return list.items.filter((p) => p.spec.clusterName === cluster).map((p) => ({ name: p.metadata.name, replicas: p.spec.replicas }));
  }

  /** alice's cluster and its pool exist (made through the API when the wizard test did not get that far). */
  async function ensureCluster(): Promise<void> {
    if (kubectl(up(), up().managementKubeconfig, "get", "sbc", cluster, "-n", "project-a").status === 0) return;
    expect((await api("alice", "POST", "/projects/a/clusters", { metadata: { name: cluster }, spec: {} })).status).toBe(201);
    expect((await api("alice", "POST", "/projects/a/nodepools", { metadata: { name: pool }, spec: { clusterName: cluster, replicas: 1 } })).status).toBe(201);
  }

  beforeAll(async () => {
    platform = await startPlatform();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await platform?.stop();
  });

  it("lets alice sign in, create a cluster with the wizard, watch it become Running live, use its kubeconfig and scale a pool", async () => {
    const page = await session();
    await page.goto(up().dashboardURL);
    await page.getByRole("heading", { name: "Seedbed" }).waitFor();
    await screenshot(page, "sign-in");
    await signIn(page, "alice", up().password("alice"));
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    expect(await page.getByText("alice@example.com").count()).toBeGreaterThan(0);
    await markDocument(page);
    const watches: string[] = [];
    page.on("request", (request: Request) => {
      if (request.url().includes("/watch")) watches.push(request.url());
    });

    // The wizard: name, project a, the default (newest) version, one pool.
    await createClusterControl(page).click();
    await page.getByRole("heading", { name: "Create a cluster" }).waitFor();
    const config = (await (await fetch(new URL("dashboard/config.json", up().dashboardURL))).json()) as { versions: string[] };
    await page.getByLabel("Name", { exact: true }).fill(cluster);
    await page.getByLabel("Project", { exact: true }).selectOption("a");
    expect(await page.getByLabel("Kubernetes version").inputValue()).toBe(config.versions[0]);
    if ((await page.getByLabel("Pool name").count()) === 0) await page.getByRole("button", { name: "Add node pool" }).click();
    await page.getByLabel("Pool name").first().fill(pool);
    await page.getByLabel("Replicas", { exact: true }).first().fill("1");
    await screenshot(page, "wizard");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.getByRole("heading", { name: cluster, level: 1 }).waitFor();

    // The fleet, live: the phase changes through the SSE watch, with no reload.
    await navLink(page, "Fleet").click();
    await fleetRow(page, cluster).waitFor();
    await phasesUntilRunning(page, cluster);
    // The wizard's cluster may be Running before the fleet is drawn (the local
    // seed takes about 5 s); one made now through the API is seen from its
    // first event on: it appears, goes through its phases to Running, and
    // goes when deleted, all without a reload.
    const live = `${cluster}-live`;
    expect((await api("alice", "POST", "/projects/a/clusters", { metadata: { name: live }, spec: {} })).status).toBe(201);
    const livePhases = await phasesUntilRunning(page, live);
    expect(livePhases[0], `phases seen: ${livePhases.join(" → ")}`).not.toBe("Running");
    expect((await api("alice", "DELETE", `/projects/a/clusters/${live}`)).status).toBeLessThan(300);
    await fleetRow(page, live).waitFor({ state: "detached", timeout: 120_000 });
    expect(await sameDocument(page)).toBe(true);
    expect(watches.some((url) => url.includes("/projects/a/watch"))).toBe(true);
    await screenshot(page, "fleet");

    // The cluster page: its kubeconfig works with the pinned kubectl once the CLI is logged in as alice.
    await fleetRow(page, cluster).getByRole("link", { name: cluster, exact: true }).click();
    await page.getByRole("heading", { name: cluster, level: 1 }).waitFor();
    await screenshot(page, "cluster");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download kubeconfig" }).click()]);
    expect(download.suggestedFilename()).toBe(`${cluster}.kubeconfig`);
    const kubeconfig = join(up().home, `${cluster}.kubeconfig`);
    await download.saveAs(kubeconfig);
    const login = seedbed(up(), "login", "--user", "alice", "--password", up().password("alice"));
    expect(login.status, login.stderr).toBe(0);
    const namespaces = kubectl(up(), kubeconfig, "get", "namespaces", "-o", "name");
    expect(namespaces.status, namespaces.stderr).toBe(0);
    expect(namespaces.stdout).toContain("namespace/kube-system");

    // Scale the pool from 1 to 2: the page shows it and the NodePool says so.
    const poolName = poolsOfCluster().find((p) => p.name === pool || p.name.endsWith(`-${pool}`))?.name;
    expect(poolName, `pools of ${cluster}: ${JSON.stringify(poolsOfCluster())}`).toBeDefined();
    const replicas = page.getByRole("spinbutton", { name: `Replicas of ${pool}` });
    await replicas.fill("2");
    await page.getByRole("button", { name: `Scale ${pool}` }).click();
    await eventually(() => Promise.resolve(poolsOfCluster().find((p) => p.name === poolName)?.replicas), (n) => n === 2, { timeoutMs: 30_000, description: `NodePool ${String(poolName)} spec.replicas 2` });
    const poolsSection = page.getByRole("region", { name: "Node pools" }).or(page.locator("section", { has: page.getByRole("heading", { name: "Node pools" }) }));
    await eventually(async () => poolsSection.first().innerText(), (text) => /\b2\s*(\/|of)\s*2\b/.test(text), { timeoutMs: 60_000, description: "the Node pools section showing 2 of 2 replicas" });
    expect(await replicas.inputValue()).toBe("2");
  });

  it("shows bob none of project a: not in the fleet, not among his projects, not by its URL", async () => {
    await ensureCluster();
    const page = await session();
    const asked: string[] = [];
    page.on("request", (request: Request) => asked.push(new URL(request.url()).pathname));
    const bobsClusters = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/projects/b/clusters", { timeout: 60_000 });
    await openSignedIn(page, up().dashboardURL, "bob", up().password("bob"));
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    expect((await bobsClusters).status()).toBe(200);
    await sleep(1_000); // for the list and the watch to be drawn
    expect(await page.getByRole("link", { name: cluster, exact: true }).count()).toBe(0);
    expect(asked.filter((path) => path.startsWith("/api/v1/projects/a"))).toEqual([]);

    // bob's own project b is listed once the projects have loaded; a is not.
    await navLink(page, "Projects").click();
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    const projects = await eventually(() => firstCells(page), (names) => names.includes("b"), { timeoutMs: 30_000, description: "project b on bob's Projects page" });
    expect(projects).not.toContain("a");

    // alice's cluster by its address: not found (the page's heading is the address's name), and nothing of it shown.
    await openSignedIn(page, new URL(`projects/a/clusters/${cluster}`, up().dashboardURL).href, "bob", up().password("bob"));
    const alert = page.getByRole("alert").filter({ hasText: /not found|does not exist/i });
    await alert.first().waitFor().catch(async () => {
      throw new Error(`no not-found message for bob on /projects/a/clusters/${cluster}; the page says: ${(await page.getByRole("main").innerText()).slice(0, 500)}`);
    });
    expect(await page.getByRole("button", { name: "Download kubeconfig" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Node pools" }).count()).toBe(0);
  });

  it("shows carol, a viewer of project a, alice's cluster without a single change button", async () => {
    await ensureCluster();
    const page = await signedIn("carol");
    await fleetRow(page, cluster).waitFor();
    expect(await createClusterControl(page).count()).toBe(0);
    const select = page.getByRole("checkbox", { name: `Select a/${cluster}` });
    if ((await select.count()) > 0) await select.check();
    expect(await page.getByRole("button", { name: "Delete selected" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Upgrade selected" }).count()).toBe(0);

    await fleetRow(page, cluster).getByRole("link", { name: cluster, exact: true }).click();
    await page.getByRole("heading", { name: cluster, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Node pools" }).waitFor();
    // The pool is shown (so the section has loaded), but nothing to change it.
    await page.getByText(pool, { exact: true }).first().waitFor();
    for (const name of [`Scale ${pool}`, `Delete ${pool}`, "Add node pool", "Delete cluster"]) {
      expect(await page.getByRole("button", { name }).count(), `button ${name}`).toBe(0);
    }
    expect(await page.getByRole("spinbutton", { name: `Replicas of ${pool}` }).count()).toBe(0);
  });

  it("shows the API's own message beside the Name field for a name the API refuses", async () => {
    const badName = "Bad_Name";
    const refused = await api("alice", "POST", "/projects/a/clusters", { metadata: { name: badName }, spec: {} });
    const error = (refused.body as { error: { message: string; field?: string } }).error;
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(error.field).toBe("metadata.name");

    const page = await signedIn("alice");
    await createClusterControl(page).click();
    await page.getByRole("heading", { name: "Create a cluster" }).waitFor();
    const name = page.getByLabel("Name", { exact: true });
    await name.fill(badName);
    await page.getByLabel("Project", { exact: true }).selectOption("a");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await eventually(() => name.getAttribute("aria-invalid"), (v) => v === "true", { timeoutMs: 15_000, description: "Name aria-invalid" });
    expect(await describedByText(name)).toContain(error.message);
    expect(await page.getByRole("heading", { name: badName }).count()).toBe(0);
  });

  it("passes axe-core's serious and critical checks, works by keyboard and fits a phone", async () => {
    await ensureCluster();
    const page = await session();
    await page.goto(up().dashboardURL);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const problems: Record<string, string[]> = { "sign-in": await seriousAccessibilityProblems(page) };
    await signIn(page, "alice", up().password("alice"));
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    await fleetRow(page, cluster).waitFor();
    problems.fleet = await seriousAccessibilityProblems(page);

    // From the top of the page, Tab reaches the skip link first, then the navigation.
    const removeStart = await focusTopOfPage(page);
    await page.keyboard.press("Tab");
    await removeStart();
    const first = await focusedElement(page);
    expect(first, "the first Tab stop").toMatch(/^a .*skip/i);
    const stops: string[] = [first];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      stops.push(await focusedElement(page));
    }
    expect(stops, "Tab stops").toContain("a Fleet");
    expect(stops, "Tab stops").toContain("a Projects");

    await navLink(page, "Projects").click();
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    await page.getByRole("table").first().waitFor();
    await screenshot(page, "projects");
    problems.projects = await seriousAccessibilityProblems(page);

    await navLink(page, "Fleet").click();
    await createClusterControl(page).click();
    await page.getByRole("heading", { name: "Create a cluster" }).waitFor();
    problems.wizard = await seriousAccessibilityProblems(page);

    await navLink(page, "Fleet").click();
    await fleetRow(page, cluster).getByRole("link", { name: cluster, exact: true }).click();
    await page.getByRole("heading", { name: cluster, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Node pools" }).waitFor();
    problems.cluster = await seriousAccessibilityProblems(page);
    expect(problems).toEqual({ "sign-in": [], fleet: [], projects: [], wizard: [], cluster: [] });

    // A phone: the fleet fits its width.
    await page.setViewportSize(phone);
    await navLink(page, "Fleet").click();
    await fleetRow(page, cluster).waitFor();
    const size = await overflowsHorizontally(page);
    expect(size.scrollWidth, `document ${size.scrollWidth}px wide in a ${size.innerWidth}px viewport`).toBeLessThanOrEqual(size.innerWidth);
    await screenshot(page, "fleet-phone");
  });

  it("filters the fleet by label, deletes a selection after a typed confirmation, and takes a backup from the cluster page", async () => {
    await ensureCluster();
    const batch = ["batch-1", "batch-2"];
    for (const name of batch) {
      expect((await api("alice", "POST", "/projects/a/clusters", { metadata: { name, labels: { env: "batch" } }, spec: {} })).status).toBe(201);
    }
    const page = await signedIn("alice");
    const shown = async (): Promise<string[]> => (await page.getByRole("table").first().getByRole("link").allTextContents()).map((t) => t.trim()).sort();
    await eventually(shown, (names) => batch.every((n) => names.includes(n)) && names.includes(cluster), { timeoutMs: 30_000, description: "the batch clusters and web in the fleet" });
    await page.getByLabel("Labels", { exact: true }).fill("env=batch");
    expect(await eventually(shown, (names) => !names.includes(cluster), { timeoutMs: 10_000, description: "the fleet filtered by env=batch" })).toEqual(batch);

    for (const name of batch) await page.getByRole("checkbox", { name: `Select a/${name}` }).check();
    await page.getByRole("button", { name: "Delete selected" }).click();
    const dialog = page.getByRole("dialog");
    const remove = dialog.getByRole("button", { name: "Delete", exact: true });
    expect(await remove.isDisabled(), "Delete before the confirmation is typed").toBe(true);
    await dialog.getByLabel("Type delete 2 clusters to confirm").fill("delete 2 clusters");
    await remove.click();
    await dialog.getByRole("status").filter({ hasText: /2 of 2/ }).waitFor({ timeout: 30_000 });
    await dialog.getByRole("button", { name: "Close" }).click();
    await eventually(shown, (names) => names.length === 0, { timeoutMs: 120_000, description: "the deleted clusters gone from the filtered fleet" });
    for (const name of batch) {
      await eventually(async () => (await api("alice", "GET", `/projects/a/clusters/${name}`)).status, (status) => status === 404, { timeoutMs: 120_000, description: `${name} deleted` });
    }

    // A backup from the cluster page, stored in the platform's S3 and shown Completed.
    await page.getByLabel("Labels", { exact: true }).fill("");
    await fleetRow(page, cluster).getByRole("link", { name: cluster, exact: true }).click();
    await page.getByRole("heading", { name: cluster, level: 1 }).waitFor();
    await page.getByRole("button", { name: "Back up now" }).click();
    const backups = page.locator("section", { has: page.getByRole("heading", { name: "Backups" }) });
    await eventually(async () => backups.first().innerText(), (text) => /Completed/.test(text), { timeoutMs: 120_000, description: "a Completed backup in the Backups section" });
    const stored = JSON.parse(kubectl(up(), up().managementKubeconfig, "get", "etcdbackups", "-n", "project-a", "-o", "json").stdout) as { items: { spec: { clusterName?: string }; status?: { phase?: string } }[] };
    expect(stored.items.some((b) => b.spec.clusterName === cluster && b.status?.phase === "Completed")).toBe(true);
  });

  it("signs out: the sign-in page says so, no API call carries a token, and signing in asks for the password again", async () => {
    const page = await signedIn("alice");
    // A reload keeps no token, but the tab signs back in by itself through the issuer's session.
    const reloadedThroughIssuer = page.waitForRequest((request) => new URL(request.url()).pathname.startsWith("/auth"), { timeout: 30_000 });
    await page.reload();
    await reloadedThroughIssuer;
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    await fleetRow(page, cluster).waitFor();

    const afterSignOut: Request[] = [];
    let signedOut = false;
    page.on("request", (request: Request) => {
      if (signedOut && new URL(request.url()).pathname.startsWith("/api/")) afterSignOut.push(request);
    });
    const revocation = page.waitForRequest((request) => request.url().endsWith("/token/revocation"), { timeout: 15_000 });
    await page.getByRole("button", { name: "Sign out" }).click();
    signedOut = true;
    await page.getByText("You are signed out.").waitFor();
    await page.getByRole("heading", { name: "Seedbed" }).waitFor();
    expect((await revocation).method()).toBe("POST");

    // In-app navigation (no reload) to the fleet still shows the sign-in page.
    await page.evaluate("history.pushState(null, '', '/clusters'); dispatchEvent(new PopStateEvent('popstate'))");
    await sleep(1_000);
    expect(await page.getByRole("heading", { name: "Fleet" }).count()).toBe(0);
    const withToken = await Promise.all(afterSignOut.map(async (r) => ((await r.allHeaders()).authorization === undefined ? undefined : r.url())));
    expect(withToken.filter((url) => url !== undefined)).toEqual([]);

    // After a sign-out a reload stays signed out.
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await page.getByRole("heading", { name: "Fleet" }).count()).toBe(0);

    // The issuer's session does not sign alice straight back in.
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("User name").waitFor();
  });
});
