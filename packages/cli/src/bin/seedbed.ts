#!/usr/bin/env node
import type { Command } from "commander";
import { CliError, ExitCode } from "../errors.ts";
import { program as buildProgram } from "../program.ts";

const program: Command = buildProgram();
try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CliError && error.exitCode === ExitCode.ok) process.exit(0);
  const exitCode = error instanceof CliError ? error.exitCode : ExitCode.failure;
  process.stderr.write(`seedbed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = exitCode;
}
