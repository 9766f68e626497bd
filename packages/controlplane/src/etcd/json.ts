/**
 * etcdctl's `-w json` output, read without losing member IDs.
 *
 * etcdctl prints the protobuf structs through Go's encoding/json, so member,
 * cluster and leader IDs are uint64 numbers, most of them above 2^53, which a
 * plain JSON.parse rounds. `--hex` would print them as strings, but `member
 * list --hex -w json` then leaves out isLearner (etcdctl printer_json.go), so
 * we read the decimal form with the reviver's source text (Node ≥ 22: the
 * third reviver argument) and turn every ID into the lower-case hex that
 * `member list -w table` shows and every etcdctl command takes.
 */

/** JSON keys that hold uint64 member or cluster IDs in etcdctl's output. */
const idKeys: ReadonlySet<string> = new Set(["ID", "member_id", "cluster_id", "leader", "memberID"]);

/** The third argument Node gives a JSON.parse reviver for primitive values. */
interface ReviverContext {
  readonly source?: string;
}

/** Parses etcdctl JSON, giving every ID key a lower-case hex string instead of a (rounded) number. */
export function parseEtcdJSON(text: string): unknown {
  return JSON.parse(text, (key: string, value: unknown, context?: ReviverContext): unknown => {
    if (!idKeys.has(key) || typeof value !== "number") return value;
    const source = context?.source;
    if (source === undefined || !/^\d+$/.test(source)) {
      throw new Error(`cannot read etcd ID ${key}=${String(value)} without precision loss (this Node lacks JSON.parse source text access; Node 24 is required)`);
    }
    return BigInt(source).toString(16);
  });
}

/** Checks that an ID is the lower-case hex form etcdctl takes; throws naming the field otherwise. */
export function hexID(id: string, field = "id"): string {
  if (!/^[0-9a-f]{1,16}$/.test(id)) throw new Error(`${field} must be an etcd member ID in lower-case hex (as \`etcdctl member list -w table\` shows it), got ${JSON.stringify(id)}`);
  return id;
}
