// The DaemonSet controller as a component: start it with the shared informers; it runs until opts.signal aborts.
import { DaemonSetController, type DaemonSetControllerOptions } from './controller.js';

export { DaemonSetController, type DaemonSetControllerOptions } from './controller.js';

export function startDaemonSetController(opts: DaemonSetControllerOptions): Promise<void> {
  return new DaemonSetController(opts).run();
}
