import { minorOf, versions } from "@seedbed/binaries";
import type { ValidationRule } from "./primitives.ts";

/** The Kubernetes minors Seedbed offers ("1.37", …), from tools/k8s/versions.json. */
export const offeredMinors: readonly string[] = versions.kubernetes.map(minorOf);

const versionFormat = "^1\\\\.[0-9]+(\\\\.[0-9]+)?$";
const minor = (v: string): string => `int(${v}.split('.')[1])`;
const patch = (v: string): string => `(size(${v}.split('.')) > 2 ? int(${v}.split('.')[2]) : -1)`;
const offeredList = `[${offeredMinors.map((m) => `'${m}'`).join(", ")}]`;
const offeredText = `${offeredMinors.join(", ")} (e.g. "${versions.kubernetes[0] ?? ""}")`;

/**
 * Rules for a Kubernetes version field: its format, an offered minor, and on
 * update neither a downgrade nor a skipped minor (the version-skew policy:
 * the control plane moves one minor at a time). With `downgrades: false`
 * the downgrade rule is left to the object (a Cluster allows one: the
 * rollback of its last upgrade, see clusterRollbackRule).
 */
export function kubernetesVersionRules(options: { downgrades?: boolean } = {}): ValidationRule[] {
  const formatOk = `self.matches('${versionFormat}')`;
  return [
    { rule: formatOk, messageExpression: `'must be MAJOR.MINOR or MAJOR.MINOR.PATCH, such as ${versions.kubernetes[0] ?? ""}; got \\'' + self + '\\''` },
    {
      rule: `!${formatOk} || (self.split('.')[0] + '.' + self.split('.')[1]) in ${offeredList}`,
      messageExpression: `'Kubernetes ' + self + ' is not offered here; choose one of ${offeredText}'`,
    },
    ...(options.downgrades === false ? [] : [{ rule: `!${formatOk} || !oldSelf.matches('${versionFormat}') || ${notDowngrade("self", "oldSelf")}`, messageExpression: downgradeMessage("self", "oldSelf", "upgrade the control plane instead") }]),
    {
      rule: `!${formatOk} || !oldSelf.matches('${versionFormat}') || ${minor("self")} <= ${minor("oldSelf")} + 1`,
      messageExpression: `'cannot go from ' + oldSelf + ' to ' + self + ' in one step: upgrade one minor at a time'`,
    },
  ];
}

/** CEL: version `to` is not older than `from` (a version without a patch follows its minor). */
function notDowngrade(to: string, from: string): string {
  return `(${minor(to)} > ${minor(from)} || (${minor(to)} == ${minor(from)} && (${patch(to)} >= ${patch(from)} || ${patch(to)} == -1)))`;
}

function downgradeMessage(to: string, from: string, hint: string): string {
  return `'cannot downgrade from ' + ${from} + ' to ' + ${to} + ': Kubernetes supports upgrades only; ${hint}'`;
}

/**
 * The Cluster's downgrade rule, at the object's root where it sees the
 * status: spec.version may go back only to the minor the cluster's last
 * upgrade came from (status.upgrade.from), from the minor it went to — a
 * rollback, which the operator carries out with the pre-upgrade snapshot.
 * Any other downgrade is refused.
 */
export function clusterRollbackRule(): ValidationRule {
  const sameMinor = (a: string, b: string): string => `${minor(a)} == ${minor(b)}`;
  const ok = (v: string): string => `${v}.matches('${versionFormat}')`;
  const rollback = `has(self.status) && has(self.status.upgrade) && ${ok("self.status.upgrade.from")} && ${ok("self.status.upgrade.to")} && ${sameMinor("self.spec.version", "self.status.upgrade.from")} && ${sameMinor("oldSelf.spec.version", "self.status.upgrade.to")}`;
  return {
    rule: `!has(self.spec.version) || !has(oldSelf.spec.version) || !${ok("self.spec.version")} || !${ok("oldSelf.spec.version")} || ${notDowngrade("self.spec.version", "oldSelf.spec.version")} || (${rollback})`,
    messageExpression: downgradeMessage("self.spec.version", "oldSelf.spec.version", "only the last upgrade can be undone, back to the version it came from (seedbed cluster rollback NAME)"),
    fieldPath: ".spec.version",
  };
}

/**
 * A Cluster that followed the default version (no spec.version) and is
 * given one: checked against the version it runs (status.version), which
 * the field's own rules cannot see — neither older nor more than one minor
 * newer.
 */
export function clusterFirstVersionRules(): ValidationRule[] {
  const ok = (v: string): string => `${v}.matches('${versionFormat}')`;
  const applies = `has(self.spec.version) && !has(oldSelf.spec.version) && ${ok("self.spec.version")} && has(self.status) && has(self.status.version) && ${ok("self.status.version")}`;
  return [
    { rule: `!(${applies}) || ${notDowngrade("self.spec.version", "self.status.version")}`, messageExpression: downgradeMessage("self.spec.version", "self.status.version", "the cluster runs the newer version; leave spec.version out or set it to that version or newer"), fieldPath: ".spec.version" },
    { rule: `!(${applies}) || ${minor("self.spec.version")} <= ${minor("self.status.version")} + 1`, messageExpression: "'cannot go from ' + self.status.version + ' to ' + self.spec.version + ' in one step: upgrade one minor at a time'", fieldPath: ".spec.version" },
  ];
}

/** Rules for an IPv4 CIDR whose prefix must lie between `minPrefix` and `maxPrefix`. */
export function ipv4CIDRRules(example: string, minPrefix: number, maxPrefix: number, why: string): ValidationRule[] {
  const guard = "!isCIDR(self) || ";
  return [
    { rule: "isCIDR(self)", messageExpression: `'must be an IPv4 CIDR such as ${example}; got \\'' + self + '\\''` },
    { rule: `${guard}cidr(self).ip().family() == 4`, message: `must be an IPv4 CIDR such as ${example}; IPv6 is not supported yet` },
    { rule: `${guard}string(cidr(self).masked()) == self`, messageExpression: `'must be a network address, with the host bits zero (like ${example}); got ' + self` },
    {
      rule: `${guard}cidr(self).prefixLength() >= ${minPrefix} && cidr(self).prefixLength() <= ${maxPrefix}`,
      messageExpression: `'prefix of ' + self + ' is out of range: use /${minPrefix} to /${maxPrefix} (${why})'`,
    },
  ];
}

/** A rule that two CIDR fields of the same object do not overlap. */
export function noOverlapRule(a: string, b: string): ValidationRule {
  const both = `has(self.${a}) && has(self.${b}) && isCIDR(self.${a}) && isCIDR(self.${b})`;
  return {
    rule: `!(${both}) || !(cidr(self.${a}).containsIP(cidr(self.${b}).masked().ip()) || cidr(self.${b}).containsIP(cidr(self.${a}).masked().ip()))`,
    messageExpression: `'${a} ' + self.${a} + ' and ${b} ' + self.${b} + ' overlap: pods and services need separate ranges'`,
    fieldPath: `.${b}`,
  };
}

/** A transition rule: the field keeps the value it was created with. */
export function immutableRule(what: string, hint = "create a new object instead"): ValidationRule {
  return { rule: "self == oldSelf", message: `${what} cannot be changed after creation; ${hint}` };
}
