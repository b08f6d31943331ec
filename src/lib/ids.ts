// Crockford base32: sortable as plain strings, no ambiguous letters.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A prefixed id that sorts by creation time: 10 chars of millisecond timestamp, then 16
 * random chars (80 bits), e.g. `ad_01jf3k...`. Listing by id is listing by creation.
 */
export function newId<P extends string>(prefix: P, now = Date.now()): `${P}_${string}` {
  let time = "";
  let remaining = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(remaining % 32) + time;
    remaining = Math.floor(remaining / 32);
  }
  const random = crypto.getRandomValues(new Uint8Array(16));
  let tail = "";
  for (const byte of random) tail += ALPHABET.charAt(byte % 32);
  return `${prefix}_${time}${tail}`;
}

/** Matches ids made by newId with the given prefix; anything else is a 404, never a DB query. */
export function idPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`);
}
