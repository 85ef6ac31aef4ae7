// The horizontal pod autoscaler controller as a component (upstream's pkg/controller/podautoscaler).
export { startHorizontalPodAutoscalerController, type HorizontalPodAutoscalerOptions } from './horizontal.js';
