// A cluster's certificate dates for people: pure, tested in certificates.test.ts.
import type { ClusterCertificatesStatus } from "../api/types.ts";
import type { Tone } from "../ui/Badge.tsx";

/** Certificates expiring sooner than this many days are coloured. */
export const expiryWarningDays = 30;

/** One certificate or CA with how long it has left. */
export interface CertificateRow {
  name: string;
  kind: "CA" | "Certificate";
  notAfter?: string;
  /** Whole days left (negative when expired); undefined without a date. */
  days?: number;
  tone: Tone;
  /** "expires in 12 days", "expired 3 days ago", "no expiry". */
  text: string;
}

/** The colour of a certificate with `days` left: red when expired, amber inside 30 days, green after. */
export function expiryTone(days: number | undefined): Tone {
  if (days === undefined) return "neutral";
  if (days < 0) return "bad";
  return days < expiryWarningDays ? "warn" : "ok";
}

function expiryText(days: number | undefined): string {
  if (days === undefined) return "no expiry";
  if (days < 0) return `expired ${-days} day${days === -1 ? "" : "s"} ago`;
  if (days === 0) return "expires today";
  return `expires in ${days} day${days === 1 ? "" : "s"}`;
}

function daysLeft(notAfter: string | undefined, nowMs: number): number | undefined {
  if (notAfter === undefined) return undefined;
  const then = Date.parse(notAfter);
  return Number.isNaN(then) ? undefined : Math.floor((then - nowMs) / 86_400_000);
}

/** Every CA and leaf certificate of the status, soonest expiry first (those without a date last). */
export function certificateRows(status: ClusterCertificatesStatus | undefined, nowMs: number): CertificateRow[] {
  const row = (name: string, kind: CertificateRow["kind"], notAfter: string | undefined): CertificateRow => {
    const days = daysLeft(notAfter, nowMs);
    return { name, kind, ...(notAfter === undefined ? {} : { notAfter }), ...(days === undefined ? {} : { days }), tone: expiryTone(days), text: expiryText(days) };
  };
  const rows = [
    ...(status?.authorities ?? []).map((a) => row(`${a.name} CA`, "CA", a.notAfter)),
    ...(status?.leaves ?? []).map((l) => row(l.name, "Certificate", l.notAfter)),
  ];
  return rows.sort((a, b) => (a.days ?? Infinity) - (b.days ?? Infinity) || a.name.localeCompare(b.name));
}
