// `npm run bench -- <name> [args…]` runs bench/<name>/main.ts with Node.js.
// Each benchmark prints what it measures as it goes and its figures as one
// JSON object on its last line.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("../../bench/", import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${benchDir}${entry.name}/main.ts`))
  .map((entry) => entry.name);

if (name === undefined || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [args…]; benchmarks: ${available.join(", ")}\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--expose-gc", `${benchDir}${name}/main.ts`, ...args], { stdio: "inherit" });
process.exit(result.status ?? 1);
