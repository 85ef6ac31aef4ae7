// The StatefulSet controller as a component: start it with the shared informers; it runs until opts.signal aborts.
import { StatefulSetController, type StatefulSetControllerOptions } from './controller.js';

export { StatefulSetController, type StatefulSetControllerOptions } from './controller.js';

export function startStatefulSetController(opts: StatefulSetControllerOptions): Promise<void> {
  return new StatefulSetController(opts).run();
}
