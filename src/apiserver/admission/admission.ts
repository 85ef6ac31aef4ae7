// Admission (DESIGN.md §3 "Request pipeline"): checks that run on a write after authorization and before the
// registry stores it, with a view across resources. Plugins are upstream's, by upstream's names.
import type { KubeObject } from '../../api/object.js';
import type { ResourceDefinition } from '../registry/types.js';
import type { UserInfo } from '../../api/transport.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What a plugin sees of one write (upstream's admission.Attributes). */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  /** The object about to be written (after the store filled its metadata). Plugins may mutate it. */
  object: KubeObject;
  /** The stored object an UPDATE replaces (after the strategy carried over what the write may not change). */
  oldObject?: KubeObject;
  namespace?: string;
  def: ResourceDefinition;
  subresource?: string;
  dryRun: boolean;
  /** Who asked (absent for the server's own writes). */
  user?: UserInfo;
}

/** One admission plugin; throws a StatusError to reject the write. */
export interface AdmissionPlugin {
  readonly name: string;
  admit(attrs: AdmissionAttributes): Promise<void>;
}

/** The plugins in order, as one function (the first rejection wins). */
export function admissionChain(plugins: AdmissionPlugin[]): (attrs: AdmissionAttributes) => Promise<void> {
  return async (attrs) => { for (const p of plugins) await p.admit(attrs); };
}
