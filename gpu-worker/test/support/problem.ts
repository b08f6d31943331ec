import { expect } from "vitest";

/** Asserts an RFC 9457 problem response with the given status and stable code. */
export async function expectProblem(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, code });
  expect(typeof problem.title).toBe("string");
  expect(typeof problem.detail).toBe("string");
  expect(problem.request_id).toBe(response.headers.get("x-request-id"));
  expect(String(problem.request_id)).toMatch(/^req_[0-9a-z]{12}[0-9a-f]{12}$/);
  return problem;
}
