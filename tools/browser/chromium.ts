// Which Chromium the browser tests drive: Debian's, installed by
// `make browser` (tools/browser/ensure-chromium.sh), or another named by
// $SEEDBED_CHROMIUM. /usr/lib/chromium/chromium is the real binary;
// /usr/bin/chromium is a shell wrapper that adds flags of its own.

import { existsSync } from "node:fs";

/** Debian's Chromium binary (package chromium). */
export const debianChromium = "/usr/lib/chromium/chromium";

/**
 * The Chromium executable to launch: $SEEDBED_CHROMIUM when set, else
 * Debian's. Throws, naming `make browser`, when that file is missing, so a
 * machine without a browser fails with a way forward instead of a launch
 * error.
 */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string {
  const named = env.SEEDBED_CHROMIUM;
  const path = named === undefined || named === "" ? debianChromium : named;
  if (!exists(path)) {
    const source = path === named ? `SEEDBED_CHROMIUM names ${path}, which does not exist` : `no Chromium at ${path}`;
    throw new Error(`${source}: run \`make browser\` to install Debian's chromium, or set SEEDBED_CHROMIUM to a Chromium binary`);
  }
  return path;
}
