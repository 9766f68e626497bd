// Chromium driven by playwright-core for the dashboard's browser tests:
// launching it, a signed-in page, screenshots as test artifacts and the
// accessibility check.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { chromiumExecutable } from "../../../tools/browser/chromium.ts";

/** Launches headless Chromium ($SEEDBED_CHROMIUM or Debian's; the error names `make browser` when missing). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), headless: true });
}

/** The viewport the dashboard is designed for first. */
export const desktop = { width: 1280, height: 800 } as const;
/** A phone's width. */
export const phone = { width: 390, height: 844 } as const;

/**
 * A fresh browser profile (no cookies: no issuer session) at desktop size.
 * The development issuer serves HTTPS under its own CA, which this
 * Chromium does not know: its certificate errors are ignored.
 */
export async function newSession(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: desktop, acceptDownloads: true });
  context.setDefaultTimeout(30_000);
  return { context, page: await context.newPage() };
}

/**
 * Signs in from the dashboard's sign-in page: "Sign in", then the issuer's
 * form (User name, Password, Sign in) unless the issuer's session signs the
 * user straight back in; resolves once the dashboard shows "Sign out".
 */
export async function signIn(page: Page, user: string, password: string): Promise<void> {
  await page.getByRole("button", { name: "Sign in" }).click();
  const form = page.getByLabel("User name");
  const signedIn = page.getByRole("button", { name: "Sign out" });
  await form.or(signedIn).first().waitFor();
  if (await form.isVisible()) {
    await form.fill(user);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await signedIn.waitFor();
}

/**
 * Opens `url` (a full page load: the in-memory tokens are gone) and lands
 * back on it signed in: a tab that was signed in goes back through the
 * issuer's session by itself; a fresh one signs in with the form.
 */
export async function openSignedIn(page: Page, url: string, user: string, password: string): Promise<void> {
  await page.goto(url);
  const button = page.getByRole("button", { name: "Sign in" });
  const signedIn = page.getByRole("button", { name: "Sign out" });
  await button.or(signedIn).first().waitFor();
  if (await signedIn.isVisible()) return;
  await signIn(page, user, password);
}

/** Where screenshots go: $SEEDBED_ARTIFACTS/dashboard, else test-artifacts/dashboard. */
export function artifactsDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = join(env.SEEDBED_ARTIFACTS ?? "test-artifacts", "dashboard");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A full-page screenshot `<name>.png` among the test artifacts; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(artifactsDir(), `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** axe-core's serious and critical findings on the page, one line each (empty when there are none). */
export async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact ?? ""} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/** The ids an element's aria-describedby names, and their text, joined. */
export async function describedByText(field: Locator): Promise<string> {
  const ids = (await field.getAttribute("aria-describedby")) ?? "";
  const page = field.page();
  const texts = await Promise.all(ids.split(/\s+/).filter((id) => id !== "").map((id) => page.locator(`[id="${id}"]`).innerText()));
  return texts.join(" ");
}
