import { sha256Hex } from "./crypto";

/** The rule name the bundle manifests carry (docs/CONVENTIONS.md). */
export const NORMALIZATION_RULE = "nfc-trim-collapse/v1";
export const MAX_NORMALIZED_CHARS = 2000;

// Unicode White_Space, spelled out: JavaScript's \s also matches U+FEFF, which is not whitespace.
const WHITESPACE = "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const EDGES = new RegExp(`^[${WHITESPACE}]+|[${WHITESPACE}]+$`, "gu");
const RUNS = new RegExp(`[${WHITESPACE}]+`, "gu");

/** nfc-trim-collapse/v1: NFC, trim, collapse whitespace runs to one space; case is kept. */
export function normalizeDescription(text: string): string {
  return text.normalize("NFC").replace(EDGES, "").replace(RUNS, " ");
}

/** Length in Unicode code points, the unit the limit is stated in. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function descriptionSha256(normalized: string): Promise<string> {
  return sha256Hex(normalized);
}
