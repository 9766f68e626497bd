// Where the built dashboard lives, for the REST server that serves it (the
// only export of this package to Node code; the rest runs in the browser).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** packages/dashboard/dist: `make dashboard` (vite build) writes it. */
export const dashboardDistDir: string = fileURLToPath(new URL("../dist", import.meta.url));

/** True once a build is there to serve. */
export function dashboardBuilt(): boolean {
  return existsSync(fileURLToPath(new URL("../dist/index.html", import.meta.url)));
}
