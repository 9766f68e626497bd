/** An entry of the heap: a key and the instant it becomes ready. */
export interface DelayedKey {
  readonly key: string;
  readonly readyAt: number;
  /** Insertion order, so keys ready at the same instant leave in the order they came. */
  readonly seq: number;
}

/** A binary min-heap of keys ordered by readiness time, then insertion order. */
export class DelayHeap {
  readonly #items: DelayedKey[] = [];

  /** How many entries the heap holds (stale ones included). */
  get size(): number {
    return this.#items.length;
  }

  /** The entry that becomes ready first, without removing it. */
  peek(): DelayedKey | undefined {
    return this.#items[0];
  }

  /** Adds an entry in O(log n). */
  push(item: DelayedKey): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent] as DelayedKey)) break;
      items[i] = items[parent] as DelayedKey;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the entry that becomes ready first, in O(log n). */
  pop(): DelayedKey | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right] as DelayedKey, items[left] as DelayedKey) ? right : left;
      if (!before(items[child] as DelayedKey, last)) break;
      items[i] = items[child] as DelayedKey;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Drops every entry. */
  clear(): void {
    this.#items.length = 0;
  }
}

function before(a: DelayedKey, b: DelayedKey): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}
