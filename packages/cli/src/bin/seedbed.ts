#!/usr/bin/env node
import { CliError, ExitCode } from "../cli-error.ts";

try {
  // kubectl runs `seedbed token` before every request: it loads only what it needs.
  if (process.argv[2] === "token" && process.argv.length === 3) await (await import("../commands/token.ts")).tokenCommand();
  else await (await import("../program.ts")).program().parseAsync();
} catch (error) {
  if (error instanceof CliError && error.exitCode === ExitCode.ok) process.exit(0);
  const exitCode = error instanceof CliError ? error.exitCode : ExitCode.failure;
  process.stderr.write(`seedbed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = exitCode;
}
