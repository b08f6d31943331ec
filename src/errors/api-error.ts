import { ERROR_CODES, type ErrorCode } from "./codes";

/** The one error type the app throws on purpose; the error handler renders it as problem+json. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: {
      headers?: Record<string, string>;
      /** Field-level problems for invalid_request. */
      errors?: { path: string; message: string }[];
    } = {},
  ) {
    super(detail);
    this.name = "ApiError";
    this.status = ERROR_CODES[code].status;
  }
}
