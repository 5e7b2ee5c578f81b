// Which content coding to answer a request with, from its Accept-Encoding header (RFC 9110
// §12.5.3): brotli, gzip or none, by the client's q-values.

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** In order of preference when the client weighs several alike: the smallest first. */
const PREFERENCE: readonly ContentCoding[] = ['br', 'gzip', 'identity'];

// `q=` takes 0 to 1 with at most three decimals; anything else makes the entry meaningless.
const WEIGHT = /^q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/**
 * The acceptable coding with the highest q-value; ties go to the smaller body (br, then gzip).
 * - No header: identity. Any coding would be allowed, but a client that sends none (curl without
 *   `--compressed`, simple scripts) usually cannot decode one.
 * - identity is acceptable unless refused (`identity;q=0`, or `*;q=0` without an identity
 *   entry); when not listed it weighs as little as the least wanted listed coding, so
 *   `gzip;q=0.5` still gets gzip.
 * - `*` weighs every coding not listed; `x-gzip` is gzip; names are case-insensitive; an entry
 *   with a malformed q-value is ignored.
 * - When nothing is acceptable the answer is identity anyway: a readable body beats a 406 for
 *   the static files this serves.
 */
export function negotiateContentCoding(acceptEncoding: string | null): ContentCoding {
  if (acceptEncoding === null) return 'identity';
  const weights = parseAcceptEncoding(acceptEncoding);
  const weightOf = (coding: ContentCoding): number => {
    const listed = weights.get(coding) ?? weights.get('*');
    if (listed !== undefined) return listed;
    if (coding !== 'identity') return 0;
    const wanted = [...weights.values()].filter((weight) => weight > 0);
    return wanted.length === 0 ? 1 : Math.min(...wanted);
  };
  let best: ContentCoding = 'identity';
  let bestWeight = 0;
  for (const coding of PREFERENCE) {
    const weight = weightOf(coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

/** Coding name (lower case) → q-value; the first entry of a name counts. */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [rawName = '', ...parameters] = entry.split(';').map((part) => part.trim());
    const name = rawName.toLowerCase() === 'x-gzip' ? 'gzip' : rawName.toLowerCase();
    if (!name || weights.has(name)) continue;
    let weight = 1;
    let malformed = false;
    for (const parameter of parameters) {
      if (!/^q\s*=/i.test(parameter)) continue;
      const match = WEIGHT.exec(parameter);
      if (match) weight = Number(match[1]);
      else malformed = true;
    }
    if (!malformed) weights.set(name, weight);
  }
  return weights;
}
