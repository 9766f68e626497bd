// Writes deploy/crds/ from the TypeBox definitions. Run after changing a
// kind: npm run generate -w @seedbed/api
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crdsDir, renderCRDs } from "../crd/files.ts";

mkdirSync(crdsDir, { recursive: true });
const files = renderCRDs();
for (const stale of readdirSync(crdsDir).filter((name) => name.endsWith(".yaml") && !files.has(name))) {
  rmSync(join(crdsDir, stale));
}
for (const [name, yaml] of files) writeFileSync(join(crdsDir, name), yaml);
process.stdout.write(`Wrote ${files.size} CRDs to ${crdsDir}\n`);
