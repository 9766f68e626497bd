/** TLS alert descriptions the proxy sends (RFC 8446 §6). */
export const alertDescription = {
  /** No SNI, or no ClientHello in time. */
  handshakeFailure: 40,
  /** Bytes that are not a well-formed ClientHello. */
  decodeError: 50,
  /** The backend of a known name could not be reached. */
  internalError: 80,
  /** A server name that is not in the route table (RFC 6066 §3). */
  unrecognizedName: 112,
} as const;

/** One of the alert descriptions above. */
export type AlertDescription = (typeof alertDescription)[keyof typeof alertDescription];

/**
 * A fatal alert record in plaintext: the only thing a TLS client accepts
 * before the server's hello, so it fails with a reason ("tlsv1
 * unrecognized name") instead of a bare connection reset. Record version
 * 3.3 (TLS 1.2), which TLS 1.3 clients also expect on the record layer.
 */
export function fatalAlert(description: AlertDescription): Buffer {
  return Buffer.from([21, 3, 3, 0, 2, 2, description]);
}
