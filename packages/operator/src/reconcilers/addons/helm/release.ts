/** What Seedbed reads of a Helm release: enough to report it in status.addons and to know whether it is deployed. */
export interface HelmReleaseInfo {
  /** The release's revision, 1 for the first install. */
  readonly revision: number;
  /** helm's release status: deployed, failed, pending-install, pending-upgrade, pending-rollback, uninstalling, superseded, … */
  readonly status: string;
  readonly chartVersion: string;
  /** The chart's appVersion; undefined when the chart has none. */
  readonly appVersion: string | undefined;
}

/**
 * Reads the release that `helm upgrade -o json` prints. Only these four
 * fields are taken: the rest holds the values and the rendered manifest,
 * which nothing here keeps.
 */
export function readRelease(json: string): HelmReleaseInfo {
  const r = parse(json) as { version?: unknown; info?: { status?: unknown }; chart?: { metadata?: { version?: unknown; appVersion?: unknown } } } | null;
  const revision = r?.version;
  const status = r?.info?.status;
  const chartVersion = r?.chart?.metadata?.version;
  const appVersion = r?.chart?.metadata?.appVersion;
  if (typeof revision !== "number" || typeof status !== "string" || typeof chartVersion !== "string") {
    throw new Error("helm's release JSON lacks version, info.status or chart.metadata.version");
  }
  return { revision, status, chartVersion, appVersion: typeof appVersion === "string" && appVersion !== "" ? appVersion : undefined };
}

/**
 * Reads what `helm get metadata -o json` prints. `helm status -o json` is
 * no use here: helm 4 strips the chart from it (pkg/cmd/status.go), so it
 * has no chart version.
 */
export function readReleaseMetadata(json: string): HelmReleaseInfo {
  const m = parse(json) as { revision?: unknown; status?: unknown; version?: unknown; appVersion?: unknown } | null;
  const revision = m?.revision;
  const status = m?.status;
  const chartVersion = m?.version;
  const appVersion = m?.appVersion;
  if (typeof revision !== "number" || typeof status !== "string" || typeof chartVersion !== "string") {
    throw new Error("helm's release metadata JSON lacks revision, status or version");
  }
  return { revision, status, chartVersion, appVersion: typeof appVersion === "string" && appVersion !== "" ? appVersion : undefined };
}

/**
 * The JSON document of helm's output: from its first line that opens an
 * object. An OCI chart's pull prints "Pulled: …" and "Digest: …" to
 * standard output first, whatever --output says (pkg/registry/client.go).
 */
function parse(output: string): unknown {
  const start = output.search(/^\{/m);
  try {
    return JSON.parse(start === -1 ? output : output.slice(start));
  } catch {
    // The length only: the output may hold values.
    throw new Error(`helm printed no release JSON (${output.length} bytes of output)`);
  }
}
