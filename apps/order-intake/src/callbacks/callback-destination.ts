import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** Whether callbacks may reach loopback and private networks: only tests with a local receiver say yes. */
export interface DestinationPolicy {
  allowPrivateNetworks: boolean;
}

/** Ranges a test setting may open; everything else that is not public unicast stays closed whatever the setting. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal']);

/** Cloud metadata services that sit inside ranges a test setting opens (AWS's IPv6 endpoint is unique-local). */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254']);

/** ipaddr.js range names in words a restaurant's developer reads. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address (the server itself)',
  private: 'a private network address',
  uniqueLocal: 'a private network address',
  linkLocal: 'a link-local address (cloud metadata services live there)',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  unspecified: 'the unspecified address',
  ipv4Mapped: 'an IPv4-mapped address',
  rfc6052: 'a NAT64 address embedding an IPv4 address',
  rfc6145: 'an IPv4-translated address',
  '6to4': 'a 6to4 address embedding an IPv4 address',
  teredo: 'a Teredo address embedding an IPv4 address',
};

/** IANA's global unicast block: outside it (IPv4-compatible `::a.b.c.d` included) nothing is a public host. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Why a connection to `address` (an IP literal, without brackets) is refused, or null: only globally routable
 * unicast is allowed, and an IPv4 address inside IPv6 (mapped) is judged as the IPv4 address it reaches.
 */
export function addressRefusal(address: string, policy: DestinationPolicy): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not a public internet address (not an IP address)`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const normalized = parsed.toString();
  const refused = (why: string) => `${address} is not a public internet address: it is ${why}`;
  if (METADATA_ADDRESSES.has(normalized)) return refused('a cloud metadata service');
  const range = parsed.range();
  if (policy.allowPrivateNetworks && PRIVATE_RANGES.has(range)) return null;
  if (range !== 'unicast') return refused(RANGE_WORDS[range] ?? 'a reserved or special-purpose address');
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return refused('outside the global unicast range');
  return null;
}

/** Names of this machine, of a local network or of cloud metadata services, which DNS must never be asked to make public. */
const INTERNAL_SUFFIXES = ['localhost', 'local', 'localdomain', 'internal', 'intranet', 'lan', 'home.arpa'];

/**
 * Why a URL's host may not receive callbacks, judged without DNS: an IP literal (as WHATWG URL normalises every
 * spelling of one: `2130706433`, `0x7f.0.0.1`, `127.1`, `[::ffff:7f00:1]`) must be public, and a name must have a
 * domain and not be an internal one.
 */
export function hostRefusal(hostname: string, policy: DestinationPolicy): string | null {
  const unbracketed = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (isIP(unbracketed) !== 0) return addressRefusal(unbracketed, policy);
  const name = unbracketed.toLowerCase().replace(/\.$/, '');
  const internal = INTERNAL_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (internal) return `${hostname} is not a public internet host: .${internal} names are internal`;
  if (!name.includes('.')) return `${hostname} is not a public internet host: use a fully qualified domain name`;
  return null;
}
