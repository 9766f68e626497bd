// Bulk actions over a selection: pure helpers, tested in bulk-run.test.ts.

/** What happened to one cluster. */
export interface BulkResult<T> {
  item: T;
  ok: boolean;
  /** The error in words, when not ok. */
  message?: string;
}

/**
 * Runs `action` for every item, at most `concurrency` at a time (the API
 * server and the management cluster take a fleet one bite at a time),
 * reporting each result as it lands. Never rejects: a failure is a result.
 */
export async function runEach<T>(items: readonly T[], action: (item: T) => Promise<unknown>, options: { concurrency: number; describe(error: unknown): string; onResult?(result: BulkResult<T>, index: number): void }): Promise<BulkResult<T>[]> {
  const results: BulkResult<T>[] = new Array<BulkResult<T>>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index] as T;
      let result: BulkResult<T>;
      try {
        await action(item);
        result = { item, ok: true };
      } catch (error) {
        result = { item, ok: false, message: options.describe(error) };
      }
      results[index] = result;
      options.onResult?.(result, index);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, () => worker()));
  return results;
}

/** The words a bulk delete asks the user to type: "delete 3 clusters", "delete 1 cluster". */
export function deletePhrase(count: number): string {
  return `delete ${count} cluster${count === 1 ? "" : "s"}`;
}

/** Whether what was typed confirms deleting `count` clusters: the phrase, or just the number. */
export function confirmsDelete(typed: string, count: number): boolean {
  const text = typed.trim().toLowerCase().replace(/\s+/g, " ");
  return text === deletePhrase(count) || text === String(count);
}

/** One line about a finished bulk action: "3 of 4 clusters …; 1 failed". */
export function bulkSummary(results: readonly (BulkResult<unknown> | undefined)[], verb: string): string {
  const done = results.filter((r) => r?.ok === true).length;
  const failed = results.filter((r) => r?.ok === false).length;
  const total = results.length;
  const head = `${done} of ${total} cluster${total === 1 ? "" : "s"} ${verb}`;
  return failed === 0 ? `${head}.` : `${head}; ${failed} failed.`;
}
