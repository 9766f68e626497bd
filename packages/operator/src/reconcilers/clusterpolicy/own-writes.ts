/**
 * The writes this process made that its cache may not show yet, per
 * object: the resourceVersion of the cached copy each write replaced and
 * what it wrote. A pass that finds that same old copy and would write the
 * same content skips: the watch event of the write brings the object back
 * once the cache has it. Without this, a pass that runs between the write
 * and its watch event writes everything again.
 */
export class OwnWrites {
  readonly #written = new Map<string, { readonly replaced: string; readonly content: string }>();

  /** Whether the cache still shows the copy an identical write of ours replaced. */
  pending(key: string, cachedResourceVersion: string | undefined, content: string): boolean {
    const written = this.#written.get(key);
    if (written !== undefined && written.replaced === cachedResourceVersion && written.content === content) return true;
    this.#written.delete(key);
    return false;
  }

  /**
   * Records a write over the cached copy of `replacedResourceVersion`. A
   * create (no copy replaced) is not recorded: an object created and
   * deleted before the cache saw it would look pending for ever.
   */
  wrote(key: string, replacedResourceVersion: string | undefined, content: string): void {
    if (replacedResourceVersion === undefined) this.#written.delete(key);
    else this.#written.set(key, { replaced: replacedResourceVersion, content });
  }

  /** Forgets an object that is gone. */
  forget(key: string): void {
    this.#written.delete(key);
  }
}
