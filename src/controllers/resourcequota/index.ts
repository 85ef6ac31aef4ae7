export { startResourceQuotaController, type ResourceQuotaControllerOptions } from './resource-quota-controller.js';
