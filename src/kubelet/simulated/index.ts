// Simulated nodes for tests and scale (kwok-style): see simulated-nodes.ts.
export { startSimulatedNodes, podsByNodeIndex, type SimulatedNodes, type SimulatedNodesOptions } from './simulated-nodes.js';
export { EXIT_AFTER_ANNOTATION, EXIT_CODE_ANNOTATION } from './pod-status.js';
export { SIMULATED_LABEL, SIMULATED_LABEL_VALUE, nodePodCIDR, nodeInternalIP } from './node-template.js';
export { SIMULATED_CPU_USAGE_ANNOTATION, SIMULATED_MEMORY_USAGE_ANNOTATION } from './simulated-stats.js';
