// The controller manager's public surface: src/cmd and other components import only this file.
export { runControllerManager, runControllers, controllerStarters, type ControllerManagerOptions } from './manager.js';
