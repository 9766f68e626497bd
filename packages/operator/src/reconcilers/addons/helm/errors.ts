/** The helm subcommands the runner calls, named in its errors. */
export type HelmCommand = "upgrade" | "uninstall" | "status";

/**
 * helm failed, timed out, or could not be started. The message is helm's
 * own error, trimmed to its useful lines, with the runner's temporary paths
 * and the chart's string values taken out: it may go into a condition that
 * every viewer of the project reads.
 */
export class HelmError extends Error {
  readonly command: HelmCommand;
  /** helm's exit code; undefined when it was killed or never ran. */
  readonly exitCode: number | undefined;
  /** helm outlived the runner's time limit and was killed. */
  readonly timedOut: boolean;

  constructor(command: HelmCommand, message: string, options: { exitCode?: number; timedOut?: boolean } = {}) {
    super(`helm ${command}: ${message}`);
    this.name = "HelmError";
    this.command = command;
    this.exitCode = options.exitCode;
    this.timedOut = options.timedOut ?? false;
  }
}

/** What must not appear in an error message: files of one helm call, and strings that may be secret. */
export interface Redactions {
  /** Paths to replace by a short name, e.g. the kubeconfig file → "<kubeconfig>"; longer paths first wins. */
  readonly paths: Readonly<Record<string, string>>;
  /** Strings (the chart's values) replaced by "<redacted>". */
  readonly secrets: readonly string[];
}

// A long error (a whole manifest echoed back) is cut: a condition message should be read at a glance.
const maxLines = 12;
const maxChars = 2000;
// Shorter strings are too likely to be ordinary words of helm's own message ("true", "enabled", a namespace).
const minSecretLength = 8;

/**
 * helm's stderr as an error message: from its first "Error:" line on (the
 * lines before it are client warnings), without that prefix, at most
 * {@link maxLines} lines; the redactions applied before cutting, so a cut
 * never leaves half a secret behind.
 */
export function helmErrorMessage(stderr: string, redactions: Redactions): string {
  let text = stderr;
  const paths = Object.entries(redactions.paths).sort(([a], [b]) => b.length - a.length);
  for (const [path, name] of paths) text = text.split(path).join(name);
  const secrets = [...new Set(redactions.secrets)].filter((s) => s.length >= minSecretLength).sort((a, b) => b.length - a.length);
  for (const secret of secrets) text = text.split(secret).join("<redacted>");
  const lines = text.split("\n").map((line) => line.trimEnd()).filter((line) => line.trim() !== "");
  const first = lines.findIndex((line) => line.startsWith("Error:"));
  const useful = (first === -1 ? lines.slice(-maxLines) : lines.slice(first, first + maxLines)).map((line, i) => (i === 0 ? line.replace(/^Error:\s*/, "") : line));
  const message = useful.join("\n");
  if (message === "") return "failed without an error message";
  return message.length > maxChars ? `${message.slice(0, maxChars)}…` : message;
}

/**
 * Every string leaf of a values tree: a password or token is a leaf. Keys
 * are left alone, as helm's template errors name them (`.Values.greeting`)
 * and they are what a reader needs to find the fault.
 */
export function stringLeaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringLeaves);
  return [];
}
