/**
 * A component as a process to run: the pure output of a renderer, the input
 * of the local hosting driver. The seed driver turns the same args into a
 * container's command line.
 */
export interface ProcessSpec {
  /** Short name, used for log files and messages (e.g. "kube-apiserver"). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Renders `{ flag: value }` as `--flag=value` in key order, so equal inputs give identical command lines. */
export function flags(values: Readonly<Record<string, string | number | boolean | undefined>>): string[] {
  return Object.keys(values)
    .sort()
    .flatMap((key) => {
      const value = values[key];
      return value === undefined ? [] : [`--${key}=${String(value)}`];
    });
}
