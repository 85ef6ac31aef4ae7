// The ReplicaSet controller as a component: start it with the shared informers; it runs until opts.signal aborts.
import { ReplicaSetController, type ReplicaSetControllerOptions } from './controller.js';

export { ReplicaSetController, slowStartBatch, type ReplicaSetControllerOptions, type ReplicaSetKind } from './controller.js';

/**
 * Registers the ReplicaSet controller's informers and handlers, starts the informers it uses (with opts.signal),
 * and runs the workers. Resolves once the controller has stopped (opts.signal aborted, in-flight reconciles done).
 */
export function startReplicaSetController(opts: ReplicaSetControllerOptions): Promise<void> {
  return new ReplicaSetController(opts).run();
}
