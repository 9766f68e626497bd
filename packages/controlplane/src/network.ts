/** The kubernetes Service's IP: the first address of the service CIDR. */
export function firstServiceIP(cidr: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (octets.length !== 4 || octets.some((o) => o > 255) || prefix < 1 || prefix > 30) {
    throw new Error(`serviceClusterIPRange "${cidr}" is not an IPv4 CIDR with a prefix of /1 to /30, such as 10.96.0.0/12`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const network = address - (address % 2 ** (32 - prefix));
  const first = network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
}
