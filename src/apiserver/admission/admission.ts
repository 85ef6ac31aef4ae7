// Admission (DESIGN.md §3 "Request pipeline"): checks that run on a write after authorization and before the
// registry stores it, with a view across resources. Plugins are upstream's, by upstream's names.
import type { KubeObject } from '../../api/object.js';
import type { ResourceDefinition } from '../registry/types.js';
import type { UserInfo } from '../../api/transport.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What a plugin sees of one write (upstream's admission.Attributes). */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  /**
   * The object about to be written (after the store filled its metadata). Plugins may mutate it. On DELETE (validating
   * phase only) the stored object, as is oldObject.
   */
  object: KubeObject;
  /** The stored object an UPDATE replaces (after the strategy carried over what the write may not change). */
  oldObject?: KubeObject;
  namespace?: string;
  def: ResourceDefinition;
  subresource?: string;
  dryRun: boolean;
  /** Who asked (absent for the server's own writes). */
  user?: UserInfo;
  /**
   * 'mutating' (the default) runs every plugin's admit before defaulting and validation; 'validating' runs their
   * validate after the object passed validation, just before it is stored (upstream's two admission phases).
   */
  phase?: 'mutating' | 'validating';
  /** Adds a Warning header to the response (kubectl prints it as "Warning: ..."). */
  warn?: (message: string) => void;
  /** Adds an annotation to the request's audit event (upstream's AddAnnotation), e.g. pod-security.kubernetes.io/audit-violations. */
  annotate?: (key: string, value: string) => void;
}

/** One admission plugin; throws a StatusError to reject the write. */
export interface AdmissionPlugin {
  readonly name: string;
  /** The mutating phase (may change attrs.object). */
  admit(attrs: AdmissionAttributes): Promise<void>;
  /** The validating phase: the object is final (defaulted and valid); must not change it. */
  validate?(attrs: AdmissionAttributes): Promise<void>;
  /**
   * The only resources ("group/resource", "" for core) the plugin acts on, when it acts on few: the chain does not
   * call it for others (upstream's Handles, by resource). Absent: called for every write.
   */
  readonly resources?: readonly string[];
}

/** The plugins in order, as one function for either phase (the first rejection wins). */
export function admissionChain(plugins: AdmissionPlugin[]): (attrs: AdmissionAttributes) => Promise<void> {
  // Each phase calls only the plugins that take part in it for the resource written: every call is an await on
  // every write. The lists are made once per resource definition (by the definition object, so no key is built
  // per write; a definition dropped, e.g. a deleted CRD's, is forgotten with it).
  const mutating = plugins.filter((p) => p.admit !== noMutation);
  const validating = plugins.filter((p) => p.validate);
  const phases = new WeakMap<ResourceDefinition, { mutating: AdmissionPlugin[]; validating: AdmissionPlugin[] }>();
  const forResource = (def: ResourceDefinition) => {
    let l = phases.get(def);
    if (!l) {
      const key = `${def.group}/${def.resource}`;
      const handles = (p: AdmissionPlugin) => !p.resources || p.resources.includes(key);
      phases.set(def, l = { mutating: mutating.filter(handles), validating: validating.filter(handles) });
    }
    return l;
  };
  // Not an async function: plugins that answer `admitted` (nothing to do for this write) are passed without a wait;
  // the chain waits from the first plugin that returns another promise on.
  return (attrs) => runFrom(forResource(attrs.def), attrs.phase === 'validating', attrs, 0);
}

/**
 * What a plugin's admit or validate returns when the write gives it nothing to do (one shared settled promise): the
 * chain goes on to the next plugin without waiting for a turn of the microtask queue.
 */
export const admitted: Promise<void> = Promise.resolve();

function runFrom(l: { mutating: AdmissionPlugin[]; validating: AdmissionPlugin[] }, validating: boolean, attrs: AdmissionAttributes, from: number): Promise<void> {
  const list = validating ? l.validating : l.mutating;
  for (let i = from; i < list.length; i++) {
    let r: Promise<void>;
    try { r = validating ? list[i].validate!(attrs) : list[i].admit(attrs); } catch (e) { return Promise.reject(e); }
    if (r === admitted) continue;
    return i + 1 < list.length ? r.then(() => runFrom(l, validating, attrs, i + 1)) : r;
  }
  return admitted;
}

/** For plugins that only validate (the chain skips them in the mutating phase). */
export const noMutation = (): Promise<void> => admitted;
