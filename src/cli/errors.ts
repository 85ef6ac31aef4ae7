// User-facing failures of the nanokube command. The top-level handler in main.ts prints `nanokube: <message>`
// on one line and exits with `exitCode`; it never prints a stack trace. A message says what is wrong and what to do.

export class CliError extends Error {
  readonly exitCode: number;
  /** The subcommand at fault ("image build"): the line then reads `nanokube image build: <message>`. */
  readonly command?: string;
  constructor(message: string, opts: { exitCode?: number; command?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = opts.exitCode ?? 1;
    if (opts.command) this.command = opts.command;
  }
}

export const portInUse = (port: number) =>
  new CliError(`port ${port} is already in use; stop what uses it or pass --api-port`);

/** One line for any error: CliError as is, others by their message (first line only). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return (err.message || err.name).split('\n')[0]!;
  return String(err);
}
