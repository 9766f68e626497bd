import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClusterPKI, issueClusterLeaves, type ClusterPKIOptions } from "@seedbed/pki";
import { loadAuthorities, pkiFileContents, pkiFileNames, pkiFiles, type PKIFiles } from "../pki-layout.ts";

/**
 * Returns the PKI directory, creating it first when it does not exist. The
 * files are written to a temporary directory that is renamed into place, so
 * a crash never leaves a half-written PKI; an existing one is reused as is,
 * which keeps kubeconfigs and service-account tokens valid across restarts.
 * One written by an older Seedbed, without a file added since (the
 * front-proxy CA, the kubelet client), gets its leaves issued afresh from
 * its own CAs: existing CAs are kept, missing ones made.
 */
export async function ensurePKIFiles(dir: string, options: ClusterPKIOptions): Promise<PKIFiles> {
  if (existsSync(dir)) {
    const missing = pkiFileNames.filter((file) => !existsSync(join(dir, file)));
    if (missing.length === 0) return pkiFiles(dir);
    const stored = new Map(pkiFileNames.filter((file) => !missing.includes(file)).map((file): [string, string] => [file, readFileSync(join(dir, file), "utf8")]));
    const completed = pkiFileContents(await issueClusterLeaves(await loadAuthorities(stored, options), options));
    // Each file replaced by a rename: a crash leaves every file whole, old or new.
    for (const [file, pem] of completed) {
      const tmp = join(dir, `.${file}.tmp-${process.pid}`);
      writeFileSync(tmp, pem, { mode: 0o600 });
      renameSync(tmp, join(dir, file));
    }
    return pkiFiles(dir);
  }
  const contents = pkiFileContents(await createClusterPKI(options));
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  for (const [file, pem] of contents) writeFileSync(join(tmp, file), pem, { mode: 0o600 });
  renameSync(tmp, dir);
  return pkiFiles(dir);
}
