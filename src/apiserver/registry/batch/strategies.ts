// The batch/v1 resources, in discovery order.
export { jobs } from './jobs/strategy.js';
export { cronjobs } from './cronjobs/strategy.js';
