import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** Whose signatures the fake accepts. */
export interface Signer {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
}

/** A request as received. */
export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const authorization = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();

/**
 * Test support: checks AWS Signature Version 4 as the IAM documentation
 * specifies it (the Authorization header's form, the credential scope
 * <date>/<region>/ec2/aws4_request, X-Amz-Date within 15 minutes, and the
 * signature itself, recomputed from the canonical request). Returns what
 * is wrong, or undefined.
 */
export function signatureProblem(request: SignedRequest, signer: Signer, now: number): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : authorization.exec(header);
  if (match === null) return `Authorization header is not an AWS4-HMAC-SHA256 signature: ${header ?? "(missing)"}`;
  const [, keyId = "", date = "", region = "", service = "", signedHeaders = "", signature = ""] = match;
  if (keyId !== signer.accessKeyId) return `signed with access key ${keyId}, not ${signer.accessKeyId}`;
  if (service !== "ec2") return `credential scope names service ${service}, not ec2`;
  if (region !== signer.region) return `credential scope names region ${region}, not ${signer.region}`;
  const amzDate = request.headers["x-amz-date"];
  if (typeof amzDate !== "string" || !/^\d{8}T\d{6}Z$/.test(amzDate)) return "X-Amz-Date header missing or malformed";
  const stale = dateProblem(amzDate, date, now);
  if (stale !== undefined) return stale;
  const signed = signedHeaders.split(";");
  if (!signed.includes("host") || !signed.includes("x-amz-date")) return "SignedHeaders must include host and x-amz-date";
  if (signer.sessionToken !== undefined && request.headers["x-amz-security-token"] !== signer.sessionToken) {
    return "X-Amz-Security-Token missing or not the session token";
  }
  return mismatch(request, signer, { date, amzDate, signed, signature });
}

/** X-Amz-Date must be the scope's day and within 15 minutes of now. */
function dateProblem(amzDate: string, date: string, now: number): string | undefined {
  if (!amzDate.startsWith(date)) return "the credential scope's date is not X-Amz-Date's";
  const at = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`);
  if (Math.abs(now - at) > 15 * 60_000) return "X-Amz-Date is more than 15 minutes off (RequestExpired)";
  return undefined;
}

/** Recomputes the signature from the canonical request and compares. */
function mismatch(request: SignedRequest, signer: Signer, s: { date: string; amzDate: string; signed: readonly string[]; signature: string }): string | undefined {
  const canonicalHeaders = s.signed.map((name) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value.join(",") : (value ?? "");
    return `${name}:${text.trim().replace(/\s+/g, " ")}\n`;
  }).join("");
  const payloadHash = sha256(request.body);
  const contentHash = request.headers["x-amz-content-sha256"];
  if (contentHash !== undefined && contentHash !== payloadHash) return "X-Amz-Content-Sha256 is not the body's hash";
  const canonicalRequest = [request.method, canonicalUri(request.path), canonicalQuery(request.query), canonicalHeaders, s.signed.join(";"), payloadHash].join("\n");
  const scope = `${s.date}/${signer.region}/ec2/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", s.amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${signer.secretAccessKey}`, s.date), signer.region), "ec2"), "aws4_request");
  if (!timingSafeEqual(hmac(key, stringToSign), Buffer.from(s.signature, "hex"))) return "the signature does not match the request (SignatureDoesNotMatch)";
  return undefined;
}

/** RFC 3986 encoding, as SigV4 wants it (unreserved characters kept, the rest %XX). */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path: string): string {
  return path.split("/").map((segment) => encode(decodeURIComponent(segment))).join("/") || "/";
}

function canonicalQuery(query: URLSearchParams): string {
  return [...query.entries()].map(([k, v]) => [encode(k), encode(v)]).sort(([a = "", x = ""], [b = "", y = ""]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1)).map(([k, v]) => `${k ?? ""}=${v ?? ""}`).join("&");
}
