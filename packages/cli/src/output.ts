import { stringify } from "yaml";
import { CliError, ExitCode } from "./errors.ts";

/** How a command prints objects. */
export type OutputFormat = "table" | "json" | "yaml";

/** Checks an -o value. */
export function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === "table" || value === "wide") return "table";
  if (value === "json" || value === "yaml") return value;
  throw new CliError(`-o must be json, yaml or table, got "${value}"`, ExitCode.usage);
}

/** Prints data as JSON or YAML. */
export function printData(out: NodeJS.WritableStream, format: "json" | "yaml", data: unknown): void {
  out.write(format === "json" ? `${JSON.stringify(data, null, 2)}\n` : stringify(data));
}

/** Prints rows as a table with a header, columns padded to the widest cell. */
export function printTable(out: NodeJS.WritableStream, header: readonly string[], rows: readonly (readonly string[])[]): void {
  out.write(`${tableLines(header, rows).join("\n")}\n`);
}

/** The lines of a table as printTable prints it, for output made of lines. Pure. */
export function tableLines(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join("").trimEnd();
  return [line(header), ...rows.map(line)];
}

/** "3m", "2h", "5d": the age of an object, as kubectl shows it. */
export function age(timestamp: string | Date | undefined, now: Date = new Date()): string {
  if (timestamp === undefined) return "<unknown>";
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(timestamp).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
