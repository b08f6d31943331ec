/** A single byte range resolved against a known size: [offset, offset + length). */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Parses a `Range` header (RFC 9110) for one range. Returns null when there is no usable
 * Range header (the whole body is served), "unsatisfiable" for a well-formed range outside
 * the body. Multiple ranges are answered with the whole body, which the RFC allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, startText = "", endText = ""] = match;
  if (startText === "" && endText === "") return null;
  if (startText === "") {
    const suffix = Number(endText);
    if (suffix === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(startText);
  if (start >= size) return "unsatisfiable";
  const end = endText === "" ? size - 1 : Math.min(Number(endText), size - 1);
  if (end < start) return null;
  return { offset: start, length: end - start + 1 };
}

/** Does an If-None-Match header match this strong ETag (weak comparison, per RFC 9110)? */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === etag);
}
