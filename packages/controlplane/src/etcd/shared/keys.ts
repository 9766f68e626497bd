/*
 * Pure helpers for tenant key prefixes and for handing keys and values to
 * etcdctl: on its command line (keys only, text) and in `etcdctl txn`'s
 * standard input (any bytes, quoted the way Go's %q reads them).
 */

/** A tenant id: a lower-case DNS label (what a Seedbed cluster id is), never etcd's own "root". */
const tenantIdPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws unless `id` can name a tenant's etcd user, role and key prefix. */
export function checkTenantId(id: string, field = "id"): string {
  if (id.length === 0 || id.length > 63 || !tenantIdPattern.test(id)) {
    throw new Error(`${field} ${JSON.stringify(id)} is not a tenant id: use 1–63 lower-case letters, digits and '-', starting and ending with a letter or digit (no '/')`);
  }
  // "root" is etcd's superuser and role: a tenant of that name would be granted everything.
  if (id === "root") throw new Error(`${field} "root" is reserved by etcd for its superuser; choose another tenant id`);
  return id;
}

/**
 * The key prefix of a tenant: "/<id>/". The trailing slash matters: etcd's
 * prefix grant on "/a" would also cover "/aa/…", one on "/a/" cannot.
 * kube-apiserver with --etcd-prefix=/<id> writes exactly below it.
 */
export function tenantKeyPrefix(id: string): string {
  return `/${checkTenantId(id)}/`;
}

/** The prefix a dedicated cluster's kube-apiserver writes below (its default --etcd-prefix=/registry). */
export const dedicatedKeyPrefix = "/registry/";

/**
 * Throws unless `prefix` is a key prefix Seedbed may read, delete and write
 * as a whole: printable ASCII without spaces, starting and ending with "/",
 * with something in between (never "/" itself, which is every key).
 */
export function checkKeyPrefix(prefix: string, field = "prefix"): string {
  if (!/^\/[\x21-\x7e]+\/$/.test(prefix) || !/[^/]/.test(prefix)) {
    throw new Error(`${field} ${JSON.stringify(prefix)} is not a key prefix: it must start and end with '/', hold printable ASCII without spaces between them (e.g. "/tenant-a/" or "/registry/")`);
  }
  return prefix;
}

/**
 * The end of the range of keys that start with `prefix`, as etcd's
 * GetPrefixRangeEnd computes it: the last byte incremented ("/a/" → "/a0").
 * A checked prefix ends in "/", so this is plain ASCII.
 */
export function prefixRangeEnd(prefix: string): string {
  checkKeyPrefix(prefix);
  return `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
}

/**
 * A byte string in double quotes as Go's strconv.Unquote reads it (etcdctl
 * txn parses each argument with fmt.Sscanf("%q")): printable ASCII as is,
 * every other byte, '"' and '\' as \xNN, so values of any bytes (protobuf,
 * newlines, invalid UTF-8) pass through a text line unchanged.
 */
export function goQuote(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `${out}"`;
}

const strictUTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A key as a command-line argument. A process's arguments are NUL-terminated
 * text, so a key with a NUL byte or invalid UTF-8 cannot be one; Kubernetes
 * writes neither (its keys are paths of object names).
 */
export function keyArgument(key: Uint8Array): string {
  let text: string;
  try {
    text = strictUTF8.decode(key);
  } catch {
    throw new Error("a key under the prefix is not valid UTF-8; etcdctl cannot be given it as an argument (Kubernetes never writes such keys)");
  }
  if (text.includes("\0")) throw new Error("a key under the prefix holds a NUL byte; etcdctl cannot be given it as an argument (Kubernetes never writes such keys)");
  return text;
}

/** `key` with `from` at its start replaced by `to`; throws when the key does not start with `from`. */
export function rewriteKey(key: Buffer, from: string, to: string): Buffer {
  const fromBytes = Buffer.from(from, "utf8");
  if (!key.subarray(0, fromBytes.length).equals(fromBytes)) {
    throw new Error(`a key in the export does not start with fromPrefix ${JSON.stringify(from)}; give the prefix the export was taken under`);
  }
  return from === to ? key : Buffer.concat([Buffer.from(to, "utf8"), key.subarray(fromBytes.length)]);
}
