/**
 * The command a systemd service runs, from its unit and drop-ins in the
 * order systemd reads them: Environment= assignments collected, ExecStart=
 * with an empty value resetting the list, and $VAR / ${VAR} expanded as
 * separate words (systemd splits an unquoted $VAR on whitespace).
 */
export function execStart(unitFiles: readonly string[], unitName: string): string[] {
  const environment = new Map<string, string>();
  let command: string | undefined;
  for (const text of unitFiles) {
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      const environmentMatch = /^Environment=(.*)$/.exec(line);
      if (environmentMatch) {
        assign(environment, environmentMatch[1] ?? "");
        continue;
      }
      const execMatch = /^ExecStart=(.*)$/.exec(line);
      if (execMatch) command = execMatch[1] === "" ? undefined : execMatch[1];
    }
  }
  if (command === undefined) throw new Error(`user data: ${unitName} has no ExecStart`);
  const argv = words(command).flatMap((word) => {
    const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word);
    if (!variable) return [word];
    return (environment.get(variable[1] ?? "") ?? "").split(/\s+/).filter((w) => w !== "");
  });
  // systemd's prefixes ("-", "@", "+", …) say how to run the command, not what.
  return argv.map((word, i) => (i === 0 ? word.replace(/^[-@+!:]+/, "") : word));
}

/** Adds the NAME=value assignments of one Environment= line. */
function assign(environment: Map<string, string>, line: string): void {
  for (const assignment of words(line)) {
    const equals = assignment.indexOf("=");
    if (equals > 0) environment.set(assignment.slice(0, equals), assignment.slice(equals + 1));
  }
}

/** Splits on whitespace, keeping double-quoted parts together (without their quotes). */
function words(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|(\S+)/g)) found.push(match[1] ?? match[2] ?? "");
  return found;
}
