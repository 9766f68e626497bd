#!/usr/bin/env node
import { Command } from "commander";
import { up } from "../commands/up.ts";

const program = new Command()
  .name("seedbed")
  .description("Kubernetes-as-a-Service you can run yourself")
  .showHelpAfterError();

program
  .command("up")
  .description("start the platform on this machine, in the foreground (Ctrl-C stops it)")
  .action(async () => {
    process.exitCode = await up();
  });

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`seedbed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
