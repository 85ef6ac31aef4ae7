// The ValidatingAdmissionPolicy status controller (upstream pkg/controller/validatingadmissionpolicystatus): each
// policy whose metadata.generation is ahead of status.observedGeneration gets status.observedGeneration and
// status.typeChecking, whose expressionWarnings list the field selections the matched kinds' schemas do not have
// (./typecheck.ts; expressions that do not compile at all are refused when the policy is written).
import { loadSchemaModel, type SchemaModel } from '../../api/schema/index.js';
import { typeCheck } from './typecheck.js';
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';

/** The status a policy should have, or undefined when it is current. */
export function desiredStatus(policy: KubeObject, model?: SchemaModel): Record<string, unknown> | undefined {
  const generation = policy.metadata.generation ?? 0;
  if (generation <= (policy.status?.observedGeneration ?? 0)) return undefined;
  const expressionWarnings = model ? typeCheck(policy, model) : [];
  return { ...(policy.status ?? {}), observedGeneration: generation, typeChecking: expressionWarnings.length ? { expressionWarnings } : {} };
}

function schemaModel(): SchemaModel | undefined {
  try { return loadSchemaModel(); } catch { return undefined; }
}

export function startValidatingAdmissionPolicyStatusController(opts: ControllerOptions): Promise<void> {
  return startController(opts, { name: 'validatingadmissionpolicy-status-controller', queue: 'validatingadmissionpolicy-status', component: 'validatingadmissionpolicy-status-controller', defaultWorkers: 1 }, ({ client, informers, queue }) => {
    const policies = informers.informerFor(builtin.validatingadmissionpolicies);
    const enqueue = (p: KubeObject) => { if (desiredStatus(p)) queue.add(p.metadata.name!); };
    policies.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
    return {
      informers: [policies],
      async reconcile(name) {
        const policy = policies.getByName(undefined, name);
        const status = policy && desiredStatus(policy, schemaModel());
        if (!status) return;
        try {
          await client.updateStatus(builtin.validatingadmissionpolicies, { ...structuredClone(policy), status });
        } catch (e) {
          if (isNotFound(e)) return;
          if (isConflict(e)) return { requeueAfter: 100 };
          throw e;
        }
      },
    };
  });
}
