import type { CommandContext } from "../context.ts";
import { CliError, ExitCode } from "../errors.ts";

/** How an event handler ends the wait. */
export interface WaitSettle<T> {
  readonly resolve: (value: T | undefined) => void;
  readonly reject: (error: Error) => void;
}

/** What to watch, and what each event means. */
export interface WatchOneOptions<T> {
  /** The collection the object is in (…/namespaces/<ns>/<plural>). */
  readonly path: string;
  readonly name: string;
  /** "cluster", "backup": for the message when the watch ends. */
  readonly kind: string;
  readonly timeoutMs: number;
  /** What the timeout says (it exits with ExitCode.timeout). */
  readonly timeoutMessage: string;
  /** Each event's object; the handler resolves or rejects when the wait is over. */
  readonly onEvent: (type: string, object: T, settle: WaitSettle<T>) => void;
  /** For a wait until the object is gone: whether it exists still (a watch sends no event for one already gone). */
  readonly exists?: () => Promise<boolean>;
}

/**
 * Watches one object by name until `onEvent` settles the wait, the timeout
 * passes, or the watch ends (the server closes watches now and then: the
 * user is told to run the command again). The watch and the timer are
 * released however it ends.
 */
export async function watchOne<T>(ctx: CommandContext, options: WatchOneOptions<T>): Promise<T | undefined> {
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      timer = setTimeout(() => reject(new CliError(options.timeoutMessage, ExitCode.timeout)), options.timeoutMs);
      const settle: WaitSettle<T> = { resolve, reject };
      const onDone = (error: unknown): void => {
        if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        else reject(new CliError(`the watch of ${options.kind} ${options.name} ended; run the command again`, ExitCode.failure));
      };
      ctx.watch
        .watch(options.path, { fieldSelector: `metadata.name=${options.name}` }, (type: string, object: T) => options.onEvent(type, object, settle), onDone)
        .then(async (controller) => {
          abort = controller;
          if (options.exists !== undefined && !(await options.exists())) resolve(undefined);
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    abort?.abort();
  }
}
