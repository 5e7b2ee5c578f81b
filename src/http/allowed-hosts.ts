// Which Host headers the gateway answers (ALLOWED_HOSTS), against DNS rebinding: a page on
// evil.example re-points its name at 127.0.0.1 and, being same-origin with itself, reads what an
// open gateway (AUTH_REQUIRED=false) on this machine answers. Its requests still say
// `Host: evil.example`, so they are refused, on every route and on WebSocket upgrades.
//
// Always answered: no Host (HTTP/1.0; browsers always send one), IP addresses (a rebinding page
// needs a name it controls, so an address in the Host means the client asked for the address),
// `localhost` and `*.localhost` (they never resolve through DNS).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** `any`, or the host names answered besides the ones always answered. */
export type AllowedHosts = 'any' | readonly string[];

/**
 * One ALLOWED_HOSTS entry: a host name, or `*.` and a name for its subdomains, optionally with
 * `:port` (then only that port, as the Host header says it, matches).
 */
export const ALLOWED_HOST_ENTRY = /^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*(:\d{1,5})?$/i;

export interface HostCheckOptions {
  /** Told about every refused Host (metrics). */
  onRefused?(): void;
}

export interface HostCheck {
  /** Whether a request with this Host header is answered; a refusal is reported. */
  allows(host: string | undefined): boolean;
  /** `listener` behind the check: a request with another Host is answered 421 here. */
  guard(listener: RequestListener): RequestListener;
}

// A Host header: a bracketed IPv6 address or a name/IPv4 address, then an optional port.
const HOST_HEADER = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::(\d{1,5}))?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

interface Entry {
  name: string;
  subdomains: boolean;
  port: string | undefined;
}

export function createHostCheck(allowed: AllowedHosts, { onRefused }: HostCheckOptions = {}): HostCheck {
  const entries = allowed === 'any' ? [] : allowed.map(parseEntry);
  const matches = (name: string, port: string | undefined) =>
    entries.some((entry) => (entry.subdomains ? name.endsWith(`.${entry.name}`) : name === entry.name) && (entry.port === undefined || entry.port === port));

  const answered = (host: string | undefined): boolean => {
    if (allowed === 'any' || !host) return true;
    const parsed = HOST_HEADER.exec(host.toLowerCase());
    if (!parsed) return false;
    const [, ipv6, name, port] = parsed;
    if (ipv6 !== undefined || IPV4.test(name!)) return true;
    if (name === 'localhost' || name!.endsWith('.localhost')) return true;
    return matches(name!, port);
  };

  const allows = (host: string | undefined) => {
    if (answered(host)) return true;
    onRefused?.();
    return false;
  };

  return {
    allows,
    guard: (listener) => (req: IncomingMessage, res: ServerResponse) => {
      if (allows(req.headers.host)) return listener(req, res);
      // The body is not read: `connection: close` ends the exchange after the answer.
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end('Misdirected Request: this gateway does not answer for this Host (ALLOWED_HOSTS)\n');
    },
  };
}

function parseEntry(entry: string): Entry {
  const lower = entry.toLowerCase();
  const subdomains = lower.startsWith('*.');
  const [name, port] = (subdomains ? lower.slice(2) : lower).split(':');
  return { name: name!, subdomains, port };
}
