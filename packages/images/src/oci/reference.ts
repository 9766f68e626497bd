/**
 * Full image references. The CRI looks images up under their normalised
 * name (`etcd:1` becomes `docker.io/library/etcd:1`), and containerd stores
 * an imported image under exactly the name it is given, so an image must be
 * named in full — registry, repository and tag — for a pod to find it.
 */

// registry host (with a dot or port, or localhost) / repository path : tag
const fullReference = /^(?<registry>localhost(?::\d+)?|[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?|[a-z0-9-]+:\d+)\/(?<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*):(?<tag>[\w][\w.-]{0,127})$/;

/**
 * Checks a reference is full (`docker.io/seedbed/etcd:3.6.16-0`); throws,
 * naming the field and an example, when it is not.
 */
export function checkReference(reference: string, field: string): void {
  if (!fullReference.test(reference)) {
    throw new Error(
      `${field}: "${reference}" is not a full image reference; write registry/repository:tag, e.g. docker.io/seedbed/etcd:3.6.16-0 ` +
        `(the CRI looks images up under the full name, so a pod would not find a shorter one)`,
    );
  }
}

/** The tag of a full reference: `docker.io/seedbed/etcd:3.6.16-0` → `3.6.16-0`. */
export function tagOf(reference: string): string {
  const tag = fullReference.exec(reference)?.groups?.tag;
  if (tag === undefined) throw new Error(`"${reference}" has no tag; write registry/repository:tag`);
  return tag;
}
