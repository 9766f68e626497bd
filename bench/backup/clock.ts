// Wall-clock timing of one awaited step.

/** Runs `step` and gives back its result and how long it took, in milliseconds. */
export async function timed<T>(step: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const began = performance.now();
  const result = await step();
  return { result, ms: performance.now() - began };
}
