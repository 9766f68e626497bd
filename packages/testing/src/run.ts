import { spawn } from "node:child_process";

/** What a command printed and how it ended. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to its end without blocking the event loop, so several can
 * run side by side and this process can keep serving what the command
 * calls (an issuer, an API server). `timeoutMs` kills it when it hangs;
 * `input` goes to its standard input.
 */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, options: { readonly timeoutMs?: number; readonly input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }) });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin?.end(options.input);
  });
}
