import { expect } from "vitest";
import { CliError, ExitCode } from "../src/errors.ts";

/** The usage error `call` throws: a CliError with the usage exit code (the unit tests of the commands' flags share it). */
export function usageError(call: () => unknown): CliError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    return error as CliError;
  }
  throw new Error("no error thrown");
}
