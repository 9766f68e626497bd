import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClusterPKI, type ClusterPKIOptions } from "@seedbed/pki";
import { pkiFileContents, pkiFiles, type PKIFiles } from "../pki-layout.ts";

/**
 * Returns the PKI directory, creating it first when it does not exist. The
 * files are written to a temporary directory that is renamed into place, so
 * a crash never leaves a half-written PKI; an existing one is reused as is,
 * which keeps kubeconfigs and service-account tokens valid across restarts.
 */
export async function ensurePKIFiles(dir: string, options: ClusterPKIOptions): Promise<PKIFiles> {
  if (existsSync(dir)) return pkiFiles(dir);
  const contents = pkiFileContents(await createClusterPKI(options));
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  for (const [file, pem] of contents) writeFileSync(join(tmp, file), pem, { mode: 0o600 });
  renameSync(tmp, dir);
  return pkiFiles(dir);
}
