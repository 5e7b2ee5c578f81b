// Typed readers of environment variables for config.ts: each error is one line naming the
// variable, the rule and the value it got (never the value of a secret).

/** Thrown for a bad variable; the message is one line naming it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export type Reader = ReturnType<typeof createReader>;

export function createReader(env: Env) {
  const raw = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const fail = (name: string, rule: string, value: string): never => {
    throw new ConfigError(`${name} must be ${rule} (got ${JSON.stringify(value)})`);
  };
  return {
    string(name: string, fallback: string): string {
      return raw(name) ?? fallback;
    },
    integer(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const n = Number(value);
      if (!/^-?\d+$/.test(value) || n < min || n > max) fail(name, `an integer from ${min} to ${max}`, value);
      return n;
    },
    boolean(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      return fail(name, 'true or false', value);
    },
    /** An optional secret; when set it must be long enough to resist guessing. */
    secret(name: string, minLength: number): string | undefined {
      const value = raw(name);
      if (value !== undefined && value.length < minLength) {
        throw new ConfigError(`${name} must be at least ${minLength} characters (got ${value.length})`);
      }
      return value;
    },
    /** An http(s) URL; plain http only for loopback hosts unless `allowHttp`. */
    url(name: string, { allowHttp }: { allowHttp: boolean }): URL | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        // reported below
      }
      const loopback = url !== undefined && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
      const ok = url?.protocol === 'https:' || (url?.protocol === 'http:' && (allowHttp || loopback));
      if (!url || !ok) fail(name, allowHttp ? 'an http(s) URL' : 'an https URL (http only for localhost)', value);
      return url;
    },
    /** An optional Redis URL; never echoed, since it may carry a password. */
    redisUrl(name: string): string | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      let protocol: string | undefined;
      try {
        protocol = new URL(value).protocol;
      } catch {
        protocol = undefined;
      }
      if (protocol !== 'redis:' && protocol !== 'rediss:') {
        throw new ConfigError(`${name} must be a redis:// or rediss:// URL`);
      }
      return value;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value)) fail(name, `one of ${allowed.join(', ')}`, value);
      return value as T;
    },
  };
}
