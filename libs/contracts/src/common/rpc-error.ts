/**
 * The error every request/reply answer carries on failure. The gateway turns it into the
 * HTTP error body unchanged, so a service decides the status code, not the gateway.
 */
export interface RpcErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: FieldError[] | Record<string, unknown>;
}

export interface FieldError {
  field: string;
  errors: string[];
}

/** A page of a list: `nextCursor` is opaque to callers and absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
