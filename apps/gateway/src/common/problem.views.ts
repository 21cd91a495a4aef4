/** One failing field of a request and what is wrong with it. */
export class FieldProblem {
  /** @example "carrierCode" */
  field: string;
  /** @example ["carrierCode must be one of Amazon's carrier codes (use Other with carrierName)"] */
  errors: string[];
}

/**
 * An error answer (`application/problem+json`, RFC 9457): its members, and the ones clients
 * before problem+json read (`statusCode`, `error`, `message`, `details`). Never a stack trace.
 */
export class ProblemDetails {
  /** Always `about:blank`: the status says what kind of problem it is. @example "about:blank" */
  type: string;
  /** The status's reason phrase. @example "Bad Request" */
  title: string;
  /** @example 400 */
  status: number;
  /** What went wrong, for people. @example "Validation failed" */
  detail: string;
  /** Same as `status`. @example 400 */
  statusCode: number;
  /** Same as `title`. @example "Bad Request" */
  error: string;
  /** Same as `detail`. @example "Validation failed" */
  message: string;
  /** On a 400 from validation: each failing field. */
  details?: FieldProblem[];
}
