// Reading the dashboard's screens by what a user sees: accessible names
// from /work/notes/dashboard-contract.md, never CSS classes.

import type { Locator, Page } from "playwright-core";

/** The fleet table's row of cluster `name` (the row holding the link named after it). */
export function fleetRow(page: Page, name: string): Locator {
  return page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
}

/** The text of `column`'s cell in the fleet row of cluster `name`, found by the column's header. */
export async function fleetCell(page: Page, name: string, column: string): Promise<string> {
  // textContent, not innerText: the headers are upper-cased by CSS, and innerText follows the CSS.
  const headers = (await page.getByRole("columnheader").allTextContents()).map((h) => h.trim());
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`the fleet table has no column "${column}"; its columns: ${headers.join(" | ")}`);
  return visibleText(fleetRow(page, name).locator(":scope > th, :scope > td").nth(index));
}

/** What visibleText uses of a DOM element. */
interface ElementLike {
  cloneNode(deep: boolean): ElementLike;
  querySelectorAll(selector: string): Iterable<{ remove(): void }>;
  readonly textContent: string | null;
}

/**
 * An element's text as assistive technology reads it: without the parts
 * hidden from it (a badge's shape glyph is aria-hidden) and before CSS
 * changes its case.
 */
export async function visibleText(element: Locator): Promise<string> {
  // Runs in the page; typed structurally, as this file is also compiled without the DOM library.
  return element.evaluate((node: unknown) => {
    const copy = (node as ElementLike).cloneNode(true);
    for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
    return (copy.textContent ?? "").trim();
  });
}

/** The first cell's text of every body row of the page's first table (e.g. the project names on Projects). */
export async function firstCells(page: Page): Promise<string[]> {
  const cells = page.getByRole("table").first().locator("tbody > tr > :first-child");
  // The first line: a project's display name may follow its name in the same cell.
  return (await cells.allInnerTexts()).map((t) => t.trim().split("\n")[0]?.trim() ?? "");
}

/** The header's navigation link `name`. */
export function navLink(page: Page, name: "Fleet" | "Projects"): Locator {
  return page.getByRole("navigation").getByRole("link", { name, exact: true });
}

/** "Create cluster", a link or a button. */
export function createClusterControl(page: Page): Locator {
  return page.getByRole("link", { name: "Create cluster" }).or(page.getByRole("button", { name: "Create cluster" }));
}

/** Marks the current document, so a later check can tell that no page load happened in between. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate("window.__seedbedSameDocument = true");
}

/** Whether the document marked by markDocument is still the one shown (no reload or full navigation since). */
export async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate<boolean>("window.__seedbedSameDocument === true");
}

/** Where keyboard focus is: the focused element's role-ish tag and its text or label. */
export async function focusedElement(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return "body";
    const label = e.getAttribute("aria-label") || e.textContent || "";
    return e.tagName.toLowerCase() + " " + label.trim().replace(/\\s+/g, " ").slice(0, 60);
  })()`);
}

/**
 * Puts keyboard focus before everything on the page (a focusable stand-in
 * at the start of <body>), as on a fresh load; the returned function
 * removes the stand-in once the first Tab has left it.
 */
export async function focusTopOfPage(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(`(() => {
    const start = document.createElement("button");
    start.id = "seedbed-test-focus-start";
    start.textContent = "start";
    document.body.prepend(start);
    start.focus();
  })()`);
  return async () => {
    await page.evaluate(`document.getElementById("seedbed-test-focus-start")?.remove()`);
  };
}

/** Whether the document is wider than the viewport (a page that scrolls sideways). */
export async function overflowsHorizontally(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate<{ scrollWidth: number; innerWidth: number }>("({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })");
}
