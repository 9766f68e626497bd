import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import { run } from "@seedbed/testing";

/**
 * A chart described as files: Chart.yaml is written from the name and
 * versions, values.yaml from `values`, and each template under templates/.
 * Helm's template language is used as it is, so a chart can be broken on
 * purpose.
 */
export interface ChartSource {
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  /** The chart's default values (values.yaml). */
  readonly values?: Readonly<Record<string, unknown>>;
  /** File name under templates/ → its text, e.g. `{ "configmap.yaml": "apiVersion: v1\n…" }`. */
  readonly templates: Readonly<Record<string, string>>;
}

/** A chart repository served over HTTP on loopback. */
export interface ServedChartRepository {
  /** http://127.0.0.1:port — what a HelmChart's `repository` names. */
  readonly url: string;
  /** Paths asked for so far, e.g. "/index.yaml", "/hello-0.1.0.tgz". */
  readonly requests: readonly string[];
  /** Stops serving and removes the files. */
  close(): Promise<void>;
}

/**
 * A chart whose one template writes every value it gets, as JSON, into a
 * ConfigMap named after the release (key `values.json`): a test reads back
 * exactly what helm rendered, as a CNI chart would have used it.
 */
export function valuesConfigMapChart(name: string, version: string, options: { appVersion?: string; values?: Record<string, unknown> } = {}): ChartSource {
  const template = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: {{ .Release.Name }}-values", "  namespace: {{ .Release.Namespace }}", "data:", "  values.json: {{ .Values | toJson | quote }}", "  chartVersion: {{ .Chart.Version | quote }}", ""].join("\n");
  return { name, version, appVersion: options.appVersion, values: options.values, templates: { "values-configmap.yaml": template } };
}

/**
 * Packages the charts with the real helm (`helm package`), indexes them
 * (`helm repo index`, with URLs relative to the repository, so it can be
 * served from any address) and serves the directory from 127.0.0.1 on a
 * free port. Several versions of one chart go into one index.
 */
export async function serveChartRepository(charts: readonly ChartSource[], helmBinary: string = binaryPath("helm")): Promise<ServedChartRepository> {
  const dir = await mkdtemp(join(tmpdir(), "seedbed-charts-"));
  try {
    const repository = join(dir, "repository");
    await buildChartRepository(charts, repository, { helmBinary, scratch: dir });
    const requests: string[] = [];
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? "/", "http://repository").pathname;
      requests.push(path);
      const file = /^\/[A-Za-z0-9._-]+$/.test(path) ? join(repository, path.slice(1)) : undefined;
      const stream = file === undefined ? undefined : createReadStream(file);
      if (stream === undefined) {
        response.writeHead(404).end();
        return;
      }
      stream.once("error", () => response.writeHead(404).end());
      stream.once("open", () => {
        response.writeHead(200, { "content-type": path.endsWith(".yaml") ? "application/x-yaml" : "application/gzip" });
        stream.pipe(response);
      });
    });
    const port = await listen(server);
    return {
      url: `http://127.0.0.1:${port}`,
      requests,
      async close(): Promise<void> {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Writes each chart's files, packages it into `repository` and writes the
 * index there.
 */
export async function buildChartRepository(charts: readonly ChartSource[], repository: string, options: { helmBinary: string; scratch: string }): Promise<void> {
  await packageCharts(charts, repository, options);
  const indexed = await run(options.helmBinary, ["repo", "index", repository], helmEnv(options.scratch), { timeoutMs: 30_000 });
  if (indexed.status !== 0) throw new Error(`helm repo index failed: ${indexed.stderr.trim()}`);
  const files = await readdir(repository);
  if (!files.includes("index.yaml")) throw new Error(`helm repo index wrote no index.yaml in ${repository} (${files.join(", ")})`);
}

/** Writes each chart's files under `scratch` and packages it (`helm package`) into `destination`. */
export async function packageCharts(charts: readonly ChartSource[], destination: string, options: { helmBinary: string; scratch: string }): Promise<void> {
  await mkdir(destination, { recursive: true });
  for (const chart of charts) {
    const source = join(options.scratch, "sources", `${chart.name}-${chart.version}`, chart.name);
    await writeChart(source, chart);
    const packaged = await run(options.helmBinary, ["package", source, "--destination", destination], helmEnv(options.scratch), { timeoutMs: 30_000 });
    if (packaged.status !== 0) throw new Error(`helm package ${chart.name} ${chart.version} failed: ${packaged.stderr.trim()}`);
  }
}

/** helm's environment with its homes in `scratch`: none of this machine's helm configuration. */
export function helmEnv(scratch: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: scratch, HELM_CACHE_HOME: join(scratch, "cache"), HELM_CONFIG_HOME: join(scratch, "config"), HELM_DATA_HOME: join(scratch, "data") };
}

/** A chart's directory as helm expects it: Chart.yaml, values.yaml, templates/. */
export async function writeChart(dir: string, chart: ChartSource): Promise<void> {
  await mkdir(join(dir, "templates"), { recursive: true });
  // JSON is YAML, and quotes every version so that 0.10 stays "0.10".
  const meta = { apiVersion: "v2", name: chart.name, version: chart.version, type: "application", ...(chart.appVersion === undefined ? {} : { appVersion: chart.appVersion }) };
  await writeFile(join(dir, "Chart.yaml"), `${JSON.stringify(meta, null, 2)}\n`);
  await writeFile(join(dir, "values.yaml"), `${JSON.stringify(chart.values ?? {}, null, 2)}\n`);
  for (const [name, text] of Object.entries(chart.templates)) await writeFile(join(dir, "templates", name), text);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}
