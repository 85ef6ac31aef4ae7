// Ingress vocabulary shared by the apiserver (validation, DefaultIngressClass admission) and ingress controllers.
import type { KubeObject } from './object.js';

/** An IngressClass with this annotation set to "true" is the default for Ingresses that name no class. */
export const IS_DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated annotation that named an Ingress's class before spec.ingressClassName. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Whether an IngressClass is marked default (upstream compares the annotation with "true" exactly). */
export const isDefaultIngressClass = (ic: KubeObject): boolean => ic.metadata?.annotations?.[IS_DEFAULT_CLASS_ANNOTATION] === 'true';
