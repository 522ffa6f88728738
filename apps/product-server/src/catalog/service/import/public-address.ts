import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Whether an import may connect to an address: `public`, or the name of the range that refuses it (ipaddr.js's
 * range names, e.g. `loopback`, `private`, `linkLocal`, `carrierGradeNat`, `reserved` (documentation and
 * benchmarking nets included), `uniqueLocal`, `multicast`, `unspecified`, `6to4`, `teredo`), plus `ipv4Compatible`
 * (`::a.b.c.d`), `nat64Local` (64:ff9b:1::/48) and `invalid` for text that is no IP address.
 */
export type AddressVerdict = { public: true } | { public: false; range: string };

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * Classifies an IP address (dotted IPv4 or IPv6 text, as a resolver or a WHATWG URL host gives it). Only
 * global unicast is public. An IPv6 form that carries an IPv4 address and reaches it (IPv4-mapped
 * `::ffff:a.b.c.d`, SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) is judged by that IPv4 address;
 * the deprecated IPv4-compatible form `::a.b.c.d` and the tunnel forms 6to4 (2002::/16) and Teredo
 * (2001::/32) are refused outright: a relay decides where they lead, and no catalog host needs them.
 */
export function classifyAddress(text: string): AddressVerdict {
  // Zone ids (`fe80::1%eth0`) only occur on link-local addresses, which are refused anyway.
  const bare = text.replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return { public: false, range: 'invalid' };
  // ipaddr.js reads `::a.b.c.d` as IPv4-mapped; the WHATWG serialisation (`::a0b:c0d`) is unambiguous.
  const canonical = family === 6 ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : bare;
  const address = ipaddr.parse(canonical);
  if (address.kind() === 'ipv4') return verdictOf((address as ipaddr.IPv4).range());
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'ipv4Mapped') return classifyAddress(v6.toIPv4Address().toString());
  if (range === 'rfc6145' || (range === 'rfc6052' && v6.match(NAT64_WELL_KNOWN))) return classifyAddress(embeddedIpv4(v6).toString());
  if (range === 'rfc6052') return { public: false, range: 'nat64Local' };
  // ipaddr.js files ::/96 under unicast (only :: and ::1 are named); it was never routable.
  if (range === 'unicast' && v6.match(IPV4_COMPATIBLE)) return { public: false, range: 'ipv4Compatible' };
  return verdictOf(range);
}

function verdictOf(range: string): AddressVerdict {
  return range === 'unicast' ? { public: true } : { public: false, range };
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12, 16));
}
