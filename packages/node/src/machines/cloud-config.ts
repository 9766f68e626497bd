import { parse } from "yaml";

/** One file of a cloud-config's write_files. */
export interface CloudConfigFile {
  /** Absolute, as on the machine the user data was made for. */
  readonly path: string;
  /** e.g. 0o600; cloud-init's default 0644 when the user data names none. */
  readonly mode: number;
  readonly content: string;
}

/** The parts of a `#cloud-config` document a local machine carries out. */
export interface CloudConfig {
  readonly files: readonly CloudConfigFile[];
  /** runcmd: each command as its argv. */
  readonly commands: readonly (readonly string[])[];
}

/**
 * Reads user data as cloud-init would: a `#cloud-config` YAML document with
 * write_files (path, content, permissions; plain text only) and runcmd
 * (lists, or strings run by a shell, which only the argv form supports
 * here). Anything else it names is refused with the key, so a provider
 * never silently runs half of what a cloud would.
 */
export function parseCloudConfig(userData: string): CloudConfig {
  if (!userData.startsWith("#cloud-config")) throw new Error("user data: not a #cloud-config document (its first line must be #cloud-config)");
  // An empty document is an empty mapping, as cloud-init reads it.
  const document: unknown = parse(userData) ?? {};
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw new Error("user data: a #cloud-config document is a YAML mapping");
  const unknownKeys = Object.keys(document).filter((key) => key !== "write_files" && key !== "runcmd");
  if (unknownKeys.length > 0) throw new Error(`user data: ${unknownKeys.join(", ")} not supported by the local provider (it carries out write_files and runcmd)`);
  const { write_files: writeFiles = [], runcmd = [] } = document as { write_files?: unknown; runcmd?: unknown };
  if (!Array.isArray(writeFiles)) throw new Error("user data: write_files must be a list");
  if (!Array.isArray(runcmd)) throw new Error("user data: runcmd must be a list");
  return { files: writeFiles.map((entry: unknown, i) => fileOf(entry, `write_files[${i}]`)), commands: runcmd.map((entry: unknown, i) => commandOf(entry, `runcmd[${i}]`)) };
}

function fileOf(entry: unknown, field: string): CloudConfigFile {
  const { path, content = "", permissions = "0644", encoding } = (entry ?? {}) as { path?: unknown; content?: unknown; permissions?: unknown; encoding?: unknown };
  if (typeof path !== "string" || !path.startsWith("/") || path.split("/").includes("..")) throw new Error(`user data: ${field}.path must be an absolute path without ".."`);
  if (typeof content !== "string") throw new Error(`user data: ${field}.content must be text`);
  if (encoding !== undefined && encoding !== "text/plain") throw new Error(`user data: ${field}.encoding ${JSON.stringify(encoding)} not supported by the local provider (plain text only)`);
  if (typeof permissions !== "string" || !/^0?[0-7]{3,4}$/.test(permissions)) throw new Error(`user data: ${field}.permissions must be an octal mode such as "0644"`);
  return { path, mode: parseInt(permissions, 8), content };
}

function commandOf(entry: unknown, field: string): string[] {
  if (!Array.isArray(entry) || entry.length === 0 || !entry.every((part): part is string => typeof part === "string")) throw new Error(`user data: ${field} must be a command as a list of strings (shell strings are not supported by the local provider)`);
  return entry;
}
