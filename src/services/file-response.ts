import { ApiError } from "../errors/api-error";
import { ifNoneMatchHits, parseRange, type ByteRange } from "../lib/http-range";

export interface ServableFile {
  /** Hex sha256 of the full content: the strong ETag. */
  sha256: string;
  size: number;
  contentType: string;
  filename: string;
  /** Reads the whole body, or one range of it. */
  read: (range: ByteRange | null) => Promise<ReadableStream | Uint8Array>;
}

/**
 * Serves immutable content with conditional and range requests: 304 on a matching
 * If-None-Match, 206 for a satisfiable Range, 416 for one outside the body.
 * Returns the response and how many body bytes it carries (for metering).
 */
export async function serveFile(request: Request, file: ServableFile, cacheControl: string): Promise<{ response: Response; bytes: number }> {
  const etag = `"${file.sha256}"`;
  const headers = new Headers({
    ETag: etag,
    "Cache-Control": cacheControl,
    "Accept-Ranges": "bytes",
    "Content-Type": file.contentType,
    "Content-Disposition": `attachment; filename="${file.filename}"`,
    "X-Content-Type-Options": "nosniff",
  });
  if (ifNoneMatchHits(request.headers.get("If-None-Match") ?? undefined, etag)) {
    headers.delete("Content-Type");
    return { response: new Response(null, { status: 304, headers }), bytes: 0 };
  }
  // If-Range with another validator means the client's partial copy is stale: send it all.
  const ifRange = request.headers.get("If-Range");
  const rangeHeader = ifRange === null || ifRange === etag ? (request.headers.get("Range") ?? undefined) : undefined;
  const range = parseRange(rangeHeader, file.size);
  if (range === "unsatisfiable") {
    throw new ApiError("range_not_satisfiable", `The file is ${file.size} bytes; the requested range is outside it.`, {
      headers: { "Content-Range": `bytes */${file.size}` },
    });
  }
  const body = request.method === "HEAD" ? null : await file.read(range);
  if (range) {
    headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`);
    headers.set("Content-Length", String(range.length));
    return { response: new Response(body, { status: 206, headers }), bytes: body ? range.length : 0 };
  }
  headers.set("Content-Length", String(file.size));
  return { response: new Response(body, { status: 200, headers }), bytes: body ? file.size : 0 };
}
