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
  // every write. The lists are made once per resource.
  const mutating = plugins.filter((p) => p.admit !== noMutation);
  const validating = plugins.filter((p) => p.validate);
  const forResource = (list: AdmissionPlugin[], cache: Map<string, AdmissionPlugin[]>, key: string) => {
    let l = cache.get(key);
    if (!l) cache.set(key, l = list.filter((p) => !p.resources || p.resources.includes(key)));
    return l;
  };
  const mutatingBy = new Map<string, AdmissionPlugin[]>(), validatingBy = new Map<string, AdmissionPlugin[]>();
  return async (attrs) => {
    const key = `${attrs.def.group}/${attrs.def.resource}`;
    if (attrs.phase === 'validating') { for (const p of forResource(validating, validatingBy, key)) await p.validate!(attrs); }
    else for (const p of forResource(mutating, mutatingBy, key)) await p.admit(attrs);
  };
}

/** For plugins that only validate (the chain skips them in the mutating phase). */
export const noMutation = async (): Promise<void> => undefined;
