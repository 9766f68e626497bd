import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import type { HelmChart } from "../catalog/types.ts";
import { metadataArgs, uninstallArgs, upgradeInstallArgs, type CallArgs } from "./args.ts";
import { HelmError, helmErrorMessage, stringLeaves, type HelmCommand, type Redactions } from "./errors.ts";
import { runProcess, type ProcessResult } from "./process.ts";
import { readRelease, readReleaseMetadata, type HelmReleaseInfo } from "./release.ts";

/** Where helm keeps its state, which helm to run, and how long one call may take. */
export interface HelmRunnerOptions {
  /**
   * helm's cache, config and data directories, and each call's temporary
   * files. One repository cache serves every tenant: it holds only public
   * chart archives and indexes, never a kubeconfig or values.
   */
  readonly workDir: string;
  /** Default: the pinned helm, binaryPath("helm"). */
  readonly helmBinary?: string;
  /** One helm call's limit, after which it is killed (default 5 min). */
  readonly timeoutMs?: number;
}

/** helm's three homes, under the work directory. */
const homeDirs = { HELM_CACHE_HOME: "cache", HELM_CONFIG_HOME: "config", HELM_DATA_HOME: "data" } as const;

// helm get metadata of a release that is not there ("Error: release: not found").
const releaseNotFound = /release: not found/;

/** The files of one helm call, in a directory of their own that goes with the call. */
interface CallFiles {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly values: string;
  /** The chart's CA bundle, when it has one. */
  readonly caFile?: string;
}

/**
 * Installs, upgrades, reads and removes Helm releases in tenant clusters by
 * running the real helm, one process per call. Each call gets the tenant's
 * admin kubeconfig as a string; it lives in a 0600 file only while helm
 * runs. helm sees none of the operator's environment: PATH only, its homes
 * under `workDir`, HOME in the call's directory; no KUBECONFIG, HELM_* or
 * proxy setting reaches it.
 */
export class HelmRunner {
  readonly #workDir: string;
  readonly #timeoutMs: number;
  readonly #binary: string | undefined;
  readonly #env: NodeJS.ProcessEnv;
  #homesMade: Promise<void> | undefined;

  constructor(options: HelmRunnerOptions) {
    this.#workDir = options.workDir;
    this.#timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.#binary = options.helmBinary;
    this.#env = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      ...Object.fromEntries(Object.entries(homeDirs).map(([name, dir]) => [name, join(options.workDir, dir)])),
    };
  }

  /**
   * `helm upgrade --install`: installs the release, or upgrades it to this
   * chart version and exactly these values (not merged with the last
   * release's), server-side (see upgradeInstallArgs). It does not wait for
   * the objects to be ready: the reconciler judges readiness itself.
   */
  async upgradeInstall(kubeconfig: string, chart: HelmChart, signal?: AbortSignal): Promise<HelmReleaseInfo> {
    return this.#withFiles(kubeconfig, chart, async (files) => {
      const secrets = stringLeaves(chart.values);
      const result = await this.#run("upgrade", upgradeInstallArgs(chart, this.#call(files)), files, signal, secrets);
      if (result.exitCode !== 0) throw failure("upgrade", result, files, secrets);
      return releaseFrom("upgrade", result, readRelease);
    });
  }

  /** `helm uninstall`; a release that is not there (or a namespace that is not) counts as removed. */
  async uninstall(kubeconfig: string, release: string, namespace: string, signal?: AbortSignal): Promise<void> {
    await this.#withFiles(kubeconfig, undefined, async (files) => {
      const result = await this.#run("uninstall", uninstallArgs(release, namespace, this.#call(files)), files, signal);
      if (result.exitCode !== 0) throw failure("uninstall", result, files);
    });
  }

  /** The release as helm stored it last (whatever its status), or undefined when it is not installed. */
  async status(kubeconfig: string, release: string, namespace: string, signal?: AbortSignal): Promise<HelmReleaseInfo | undefined> {
    return this.#withFiles(kubeconfig, undefined, async (files) => {
      const result = await this.#run("status", metadataArgs(release, namespace, files), files, signal);
      if (result.exitCode === 0) return releaseFrom("status", result, readReleaseMetadata);
      if (releaseNotFound.test(result.stderr)) return undefined;
      throw failure("status", result, files);
    });
  }

  #call(files: CallFiles): CallArgs {
    return { kubeconfig: files.kubeconfig, values: files.values, timeoutMs: this.#timeoutMs, ...(files.caFile === undefined ? {} : { caFile: files.caFile }) };
  }

  /**
   * Runs helm to its end and returns what it printed, whatever its exit
   * code; throws a HelmError when it timed out or could not be started, and
   * the abort reason when the call was aborted.
   */
  async #run(command: HelmCommand, args: string[], files: CallFiles, signal: AbortSignal | undefined, secrets: readonly string[] = []): Promise<ProcessResult> {
    const binary = this.#resolveBinary(command);
    let result: ProcessResult;
    try {
      // HOME is the call's own directory: client-go keeps its discovery cache
      // under ~/.kube/cache by server address, which tenants behind one SNI
      // endpoint share, and registry logins fall back to ~/.docker/config.json.
      const env = { ...this.#env, HOME: files.dir };
      result = await runProcess(binary, args, { env, timeoutMs: this.#timeoutMs, signal });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new HelmError(command, `could not run ${binary}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (result.timedOut) {
      const said = result.stderr.trim() === "" ? "" : ` (${helmErrorMessage(result.stderr, redactions(files, secrets))})`;
      throw new HelmError(command, `timed out after ${this.#timeoutMs / 1000} s and was killed${said}`, { timedOut: true });
    }
    return result;
  }

  #resolveBinary(command: HelmCommand): string {
    if (this.#binary !== undefined) return this.#binary;
    try {
      return binaryPath("helm");
    } catch (error) {
      throw new HelmError(command, error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Runs `use` with the kubeconfig (and the chart's values and CA bundle,
   * when given) in 0600 files of a fresh 0700 directory, removed afterwards
   * whatever happens.
   */
  async #withFiles<T>(kubeconfig: string, chart: Pick<HelmChart, "values" | "caBundle"> | undefined, use: (files: CallFiles) => Promise<T>): Promise<T> {
    await this.#makeHomes();
    const dir = await mkdtemp(join(this.#workDir, "call-"));
    try {
      const files: CallFiles = { dir, kubeconfig: join(dir, "kubeconfig"), values: join(dir, "values.json"), ...(chart?.caBundle === undefined ? {} : { caFile: join(dir, "ca.crt") }) };
      await writeFile(files.kubeconfig, kubeconfig, { mode: 0o600, flag: "wx" });
      // JSON is YAML: helm reads it as a values file as it is.
      if (chart !== undefined) await writeFile(files.values, JSON.stringify(chart.values), { mode: 0o600, flag: "wx" });
      if (files.caFile !== undefined && chart?.caBundle !== undefined) await writeFile(files.caFile, chart.caBundle, { mode: 0o600, flag: "wx" });
      return await use(files);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #makeHomes(): Promise<void> {
    // A failure (a full disk) is not remembered: the next call tries again.
    this.#homesMade ??= this.#createHomes().catch((error: unknown) => {
      this.#homesMade = undefined;
      throw error;
    });
    return this.#homesMade;
  }

  async #createHomes(): Promise<void> {
    await mkdir(this.#workDir, { recursive: true, mode: 0o700 });
    // Calls of an operator killed mid-call left their kubeconfig behind: one operator owns a work directory, so none of these is in use.
    for (const entry of await readdir(this.#workDir)) if (entry.startsWith("call-")) await rm(join(this.#workDir, entry), { recursive: true, force: true });
    for (const dir of Object.values(homeDirs)) await mkdir(join(this.#workDir, dir), { recursive: true, mode: 0o700 });
  }
}

/** What must not show in a call's error: its temporary files, and the chart's string values. */
function redactions(files: CallFiles, secrets: readonly string[]): Redactions {
  return { paths: { [files.kubeconfig]: "<kubeconfig>", [files.values]: "<values>", ...(files.caFile === undefined ? {} : { [files.caFile]: "<ca-file>" }), [files.dir]: "<temp>" }, secrets };
}

/** The release a successful call printed; a HelmError when helm printed something else. */
function releaseFrom(command: HelmCommand, result: ProcessResult, read: (json: string) => HelmReleaseInfo): HelmReleaseInfo {
  try {
    return read(result.stdout);
  } catch (error) {
    throw new HelmError(command, error instanceof Error ? error.message : String(error), { exitCode: result.exitCode ?? undefined });
  }
}

/** A failed call as a HelmError carrying helm's own words. */
function failure(command: HelmCommand, result: ProcessResult, files: CallFiles, secrets: readonly string[] = []): HelmError {
  return new HelmError(command, helmErrorMessage(result.stderr, redactions(files, secrets)), { exitCode: result.exitCode ?? undefined });
}
