// The Job controller as a component: start it with the shared informers; it runs until opts.signal aborts.
import { JobController, type JobControllerOptions } from './controller.js';

export { JobController, isJobFinished, type JobControllerOptions } from './controller.js';

/** Registers the Job controller's informers and handlers, starts them and runs the workers until opts.signal aborts. */
export function startJobController(opts: JobControllerOptions): Promise<void> {
  return new JobController(opts).run();
}
