import { readFileSync } from "node:fs";
import { parse, YAMLError } from "yaml";
import { CliError, ExitCode } from "../../errors.ts";

/**
 * A Helm add-on's values from the text of `--values`: YAML or JSON (JSON
 * is YAML), a mapping at the top; an empty file is no values. Values may
 * hold secrets, so a parse error is told by line and column only, never
 * with the text around it. Pure.
 */
export function parseValues(text: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    if (error instanceof YAMLError) {
      const at = error.linePos?.[0];
      throw new CliError(`--values ${source} is neither YAML nor JSON (${error.code}${at === undefined ? "" : ` at line ${String(at.line)}, column ${String(at.col)}`})`, ExitCode.usage);
    }
    throw error;
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CliError(`--values ${source} must hold a mapping of values (key: value), got ${Array.isArray(parsed) ? "a list" : `a ${typeof parsed}`}`, ExitCode.usage);
  }
  return parsed as Record<string, unknown>;
}

/** Reads and parses `--values FILE`; `-` reads standard input. */
export function readValues(file: string): Record<string, unknown> {
  const source = file === "-" ? "(standard input)" : file;
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    throw new CliError(`cannot read --values ${source}${code === "ENOENT" ? ": no such file" : code === "" ? "" : ` (${code})`}`, ExitCode.usage);
  }
  return parseValues(text, source);
}
