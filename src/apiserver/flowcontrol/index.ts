// API Priority and Fairness (flowcontrol.apiserver.k8s.io/v1): the bootstrap producer (ensurer.ts), the
// configuration consumer (config-controller.ts) and the request filter (filter.ts), started together.
import type { Registry } from '../registry/registry.js';
import type { Logger } from '../logger.js';
import { ensureFlowControlBootstrap } from './ensurer.js';
import { ConfigController } from './config-controller.js';
import { FlowControl } from './filter.js';

export { FlowControl } from './filter.js';

/**
 * The server's concurrency limit when none is configured: upstream's is --max-requests-inflight (400) +
 * --max-mutating-requests-inflight (200) = 600, sized for a multi-core Go server; one Node.js event loop gets
 * nothing from more requests in flight than it can interleave, so a smaller total: 200 seats shared among the
 * priority levels (global-default 17, workload-high 33, node-high 33, system 25, ...).
 */
export const DEFAULT_SERVER_CONCURRENCY_LIMIT = 200;

export interface FlowControlStartOptions {
  /** Seats shared among the Limited priority levels (default DEFAULT_SERVER_CONCURRENCY_LIMIT). */
  serverConcurrencyLimit?: number;
  requestWaitLimitMs?: number;
  logger: Logger;
  signal: AbortSignal;
  /** How often the bootstrap configuration is ensured again (upstream: every minute). */
  ensureIntervalMs?: number;
}

/**
 * The filter, ready at once with the mandatory configuration (exempt, catch-all: upstream "imagines" them until
 * the objects exist), and `start`, which ensures the bootstrap objects, loads them and keeps both current.
 */
export function createFlowControl(registry: Registry, opts: FlowControlStartOptions): { flowControl: FlowControl; start(): Promise<void> } {
  const controller = new ConfigController(registry, opts.serverConcurrencyLimit ?? DEFAULT_SERVER_CONCURRENCY_LIMIT, opts.logger);
  const flowControl = new FlowControl(controller, { requestWaitLimitMs: opts.requestWaitLimitMs });
  return {
    flowControl,
    async start() {
      await ensureFlowControlBootstrap(registry);
      await controller.start(opts.signal);
      const timer = setInterval(() => {
        ensureFlowControlBootstrap(registry).catch((e) => opts.logger.info('APF bootstrap ensurer ran into an error, will retry later', { error: String((e as Error)?.message ?? e) }));
      }, opts.ensureIntervalMs ?? 60_000);
      timer.unref();
      opts.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    },
  };
}
