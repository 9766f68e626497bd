import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What a client needs to log in to this platform and reach it: written by
 * `seedbed up` to $SEEDBED_HOME/platform.json and read by `seedbed login`
 * when no issuer is named on its command line. Nothing secret.
 */
export interface PlatformFile {
  readonly managementServer: string;
  readonly managementCA: string;
  readonly issuerURL: string;
  /** Absent when the issuer's certificate chains to a public root. */
  readonly issuerCA?: string;
  readonly clientID: string;
  /** The REST API, http(s)://host:port. */
  readonly apiURL: string;
  /** The SNI gateway: host:port and the domain it serves. */
  readonly sharedEndpoint: { readonly port: number; readonly domain: string };
}

/** Where the platform file lives. */
export function platformFilePath(home: string): string {
  return join(home, "platform.json");
}

export function writePlatformFile(home: string, platform: PlatformFile): void {
  writeFileSync(platformFilePath(home), `${JSON.stringify(platform, null, 2)}\n`, { mode: 0o644 });
}

/** The platform file of a local platform, if `seedbed up` has run there. */
export function readPlatformFile(home: string): PlatformFile | undefined {
  const file = platformFilePath(home);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PlatformFile) : undefined;
}
