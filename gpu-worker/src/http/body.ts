/** Reads a request body up to a byte limit; past the limit the request is refused with 413. */
import type { IncomingMessage } from "node:http";

import { WorkerError } from "./errors.js";

export async function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = request.headers["content-length"];
  if (declared !== undefined && Number(declared) > limitBytes) {
    throw new WorkerError("body_too_large", `body of ${declared} bytes exceeds the ${limitBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limitBytes) throw new WorkerError("body_too_large", `body exceeds the ${limitBytes}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
