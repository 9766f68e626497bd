import { ApiException } from "@kubernetes/client-node";

/**
 * How often a read-decide-write of a Cluster goes round when the cluster
 * was written between the read and the write (a 409): the operator writes
 * its status all the time, so one conflict is ordinary and a caller should
 * not see it; several in a row are answered.
 */
export const conflictAttempts = 5;

/**
 * Runs `attempt` — which reads an object, decides from what it read and
 * writes with the resourceVersion read — again while it ends in the
 * apiserver's 409, at most conflictAttempts times. Each round decides anew
 * on the object as it is then, so a refusal the new state calls for (an
 * HttpError of the route's own) is answered, never retried, and no
 * concurrent change is overwritten.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (round < conflictAttempts && error instanceof ApiException && error.code === 409) continue;
      throw error;
    }
  }
}
