import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, LookupAddress, LookupAllOptions } from 'node:dns';
import { isIP, LookupFunction } from 'node:net';

/**
 * Where webhooks may send: public unicast addresses only. A webhook URL is given by whoever
 * holds an `operate` key; without this it could make the gateway POST to loopback, the private
 * network, link-local (169.254.169.254: cloud metadata) and so on, from inside.
 * `ipaddr.js` names every address's range; only `unicast` is public (anything else is loopback,
 * private, uniqueLocal fc00::/7, linkLocal, unspecified, multicast, broadcast,
 * carrierGradeNat, reserved...). An IPv4-mapped IPv6 address counts as its IPv4.
 */
export class WebhookAddressPolicy {
  private readonly hosts = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  /** `allowed`: ALERT_WEBHOOK_ALLOWED_HOSTS, hostnames and CIDRs (or single addresses) allowed anyway. */
  constructor(allowed: string) {
    for (const entry of allowed.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean)) {
      const range = parseRange(entry);
      if (range) this.ranges.push(range);
      else this.hosts.add(entry);
    }
  }

  /** Whether a hostname is allowed whatever it resolves to (listed by name). */
  hostAllowed(hostname: string): boolean {
    return this.hosts.has(bare(hostname).toLowerCase());
  }

  /** Whether an address may be sent to: public, or within a listed range. */
  addressAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    if (ip.range() === 'unicast') return true;
    return this.ranges.some(([net, bits]) => net.kind() === ip.kind() && (ip instanceof ipaddr.IPv4 ? ip.match(net as ipaddr.IPv4, bits) : (ip as ipaddr.IPv6).match(net as ipaddr.IPv6, bits)));
  }

  /**
   * Whether a webhook URL may be subscribed: a literal address must be allowed (a hostname is
   * checked on each send, on what it resolves to then).
   */
  urlAllowed(url: URL): boolean {
    const host = bare(url.hostname);
    return isIP(host) === 0 || this.hostAllowed(host) || this.addressAllowed(host);
  }

  /**
   * The DNS lookup of webhook connections: refuses a name that resolves to an address not
   * allowed, at connect time, so a name that resolved to a public address at subscription
   * (or at a first look) cannot be rebound to an internal one for the POST.
   */
  lookup(hostname: string): LookupFunction {
    const byName = this.hostAllowed(hostname);
    return (name, options, callback) => {
      dnsLookup(name, { ...options, all: true } as LookupAllOptions, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        const refused = byName ? undefined : addresses.find((a) => !this.addressAllowed(a.address));
        if (refused || addresses.length === 0) return callback(new AddressNotAllowed(), '', 0);
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    };
  }
}

/** A webhook's host is (or resolves to) an address it may not reach. */
export class AddressNotAllowed extends Error {
  readonly code = 'EADDRNOTALLOWED';
  constructor() {
    super('address not allowed');
  }
}

/** URL hostnames keep IPv6 literals in brackets. */
function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function parseRange(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    if (ipaddr.isValid(entry)) {
      const ip = ipaddr.process(entry);
      return [ip, ip.kind() === 'ipv4' ? 32 : 128];
    }
  } catch {
    // Not a range: a hostname.
  }
  return undefined;
}
