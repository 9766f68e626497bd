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
  return parseValues(readFlagFile("--values", file), file === "-" ? "(standard input)" : file);
}

/** Reads `--ca-file FILE`: PEM certificates, refused here when it holds none (as the API would refuse them). */
export function readCABundle(file: string): string {
  const text = readFlagFile("--ca-file", file);
  if (!text.includes("-----BEGIN CERTIFICATE-----")) throw new CliError(`--ca-file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA's certificate, e.g. the registry CA's ca.crt`, ExitCode.usage);
  return text;
}

/** The text of a flag's file; `-` reads standard input. */
function readFlagFile(flag: string, file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    throw new CliError(`cannot read ${flag} ${file === "-" ? "(standard input)" : file}${code === "ENOENT" ? ": no such file" : code === "" ? "" : ` (${code})`}`, ExitCode.usage);
  }
}
