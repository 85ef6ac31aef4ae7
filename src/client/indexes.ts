// Informer indexes that several components need over the one shared cache of a resource. Each is defined once here:
// an informer keeps one index per name, and adding the same index function again is a no-op, so every component
// that asks for it shares the index instead of building its own copy.
import type { IndexFunc } from './informer.js';

/** Pods by spec.nodeName (unassigned pods are in no bucket): the scheduler side, node lifecycle, pod GC, kubelets. */
export const podNodeNameIndex = 'spec.nodeName';

const podsByNodeName: IndexFunc = (p) => (p.spec?.nodeName ? [p.spec.nodeName as string] : []);

/** Pass as `informerFor(resources.pods, { indexers: podNodeNameIndexers })`; read with byIndex(podNodeNameIndex, node). */
export const podNodeNameIndexers: Readonly<Record<string, IndexFunc>> = Object.freeze({ [podNodeNameIndex]: podsByNodeName });
