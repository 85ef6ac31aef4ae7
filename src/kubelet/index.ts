// The kubelet component's public surface: src/cmd, src/cli and other components import only this file.
export {
  startSimulatedNodes, podsByNodeIndex, EXIT_AFTER_ANNOTATION, SIMULATED_LABEL, SIMULATED_LABEL_VALUE, nodePodCIDR, nodeInternalIP,
  type SimulatedNodes, type SimulatedNodesOptions,
} from './simulated/index.js';
export { nextSimulatedNodes, SIMULATED_NODE_PREFIX } from './simulated/node-template.js';
