// One fuzz request and what came back.

export interface FuzzCase {
  category: string;
  method: string;
  /** The request target as sent (already percent-encoded where the client library requires it). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send these bytes on a fresh TLS connection instead (a whole request the HTTP client would refuse to write). */
  raw?: Buffer;
  /** Send without a client certificate. */
  anonymous?: boolean;
  /** A success may be a stream (watch, follow): the response is dropped once its headers arrive. */
  mayStream?: boolean;
  /** The server may close the connection without an answer (e.g. a body far over the limit). */
  mayReset?: boolean;
  /** Statuses this case must get (e.g. 413 for a body over the limit); any sane status when absent. */
  expect?: number[];
}

export interface FuzzResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** A network failure with no response at all (reset, timeout). */
  error?: string;
}
