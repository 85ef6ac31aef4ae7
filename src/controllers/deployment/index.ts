// The Deployment controller as a component: start it with the shared informers; it runs until opts.signal aborts.
import { DeploymentController, type DeploymentControllerOptions } from './controller.js';

export { DeploymentController, type DeploymentControllerOptions } from './controller.js';

/**
 * Registers the Deployment controller's informers and handlers, starts the informers it uses (with opts.signal),
 * and runs the workers. Resolves once the controller has stopped (opts.signal aborted, in-flight reconciles done).
 */
export function startDeploymentController(opts: DeploymentControllerOptions): Promise<void> {
  return new DeploymentController(opts).run();
}
