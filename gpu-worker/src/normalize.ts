/**
 * Description normalisation `nfc-trim-collapse/v1` (docs/CONVENTIONS.md), identical to the
 * trainer's `t2l.normalize` and the edge. Whitespace is the Unicode White_Space property spelled
 * out, because JavaScript's `\s` differs from it (adds U+FEFF, lacks U+0085).
 */
import { createHash } from "node:crypto";

export const NORMALIZATION_RULE = "nfc-trim-collapse/v1";
export const MAX_DESCRIPTION_CHARS = 2000;

const WHITESPACE = "\\t\\n\\v\\f\\r\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WHITESPACE_RUN = new RegExp(`[${WHITESPACE}]+`, "gu");
const EDGE_WHITESPACE = new RegExp(`^[${WHITESPACE}]+|[${WHITESPACE}]+$`, "gu");

export function normalizeDescription(text: string): string {
  return text.normalize("NFC").replace(EDGE_WHITESPACE, "").replace(WHITESPACE_RUN, " ");
}

/** Length in Unicode code points, the unit the trainer (Python `len`) and the limits use. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

export function descriptionSha256(normalized: string): string {
  return createHash("sha256").update(normalized, "utf8").digest("hex");
}
