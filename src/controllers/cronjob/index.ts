// The CronJob controller as a component: start it with the shared informers; it runs until opts.signal aborts.
import { CronJobController } from './controller.js';
import type { ControllerOptions } from '../shared/options.js';

export { CronJobController } from './controller.js';

/** Registers the CronJob controller's informers and handlers, starts them and runs the workers until opts.signal aborts. */
export function startCronJobController(opts: ControllerOptions): Promise<void> {
  return new CronJobController(opts).run();
}
