export { startDisruptionController, type DisruptionControllerOptions } from './disruption-controller.js';
