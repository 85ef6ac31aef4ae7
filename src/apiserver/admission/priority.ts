// Priority (upstream plugin/pkg/admission/priority): a new pod gets spec.priority (and spec.preemptionPolicy) from
// the PriorityClass it names, or from the globalDefault class (the lowest value when several are marked) when it
// names none; a class that does not exist is forbidden, and so is a pod whose own priority or preemptionPolicy
// differs from its class's. A PriorityClass may be marked globalDefault only while no other one is.
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

export interface PriorityOptions {
  /**
   * Lists every PriorityClass (not copies: the plugin does not change them); `live` when a cache will not do (the
   * one-default check of a new class, rare and racing only itself).
   */
  listPriorityClasses(live?: boolean): Promise<KubeObject[]>;
  /** One PriorityClass by name; without it, the list is searched. */
  getPriorityClass?(name: string): Promise<KubeObject | undefined>;
}

function forbid(attrs: AdmissionAttributes, why: string) {
  const group = attrs.def.group;
  const resource = group ? `${attrs.def.resource}.${group}` : attrs.def.resource;
  const name = attrs.object.metadata?.name ?? '';
  const err = forbidden(`${resource} "${name}" is forbidden: ${why}`);
  err.status.details = { name, group: group || undefined, kind: attrs.def.resource };
  return err;
}

export function priority(opts: PriorityOptions): AdmissionPlugin {
  async function admitPod(attrs: AdmissionAttributes): Promise<void> {
    const pod = attrs.object;
    pod.spec = pod.spec && typeof pod.spec === 'object' ? pod.spec : {};
    const spec = pod.spec;
    let value = 0;
    let preemptionPolicy: string | undefined;
    if (!spec.priorityClassName) {
      const classes = await opts.listPriorityClasses();
      const defaults = classes.filter((c) => c.globalDefault === true).sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
      if (defaults.length) {
        spec.priorityClassName = defaults[0].metadata.name;
        value = defaults[0].value ?? 0;
        preemptionPolicy = defaults[0].preemptionPolicy;
      }
    } else {
      const name = spec.priorityClassName;
      const pc = opts.getPriorityClass ? await opts.getPriorityClass(name)
        : (await opts.listPriorityClasses()).find((c) => c.metadata.name === name);
      if (!pc) throw forbid(attrs, `no PriorityClass with name ${spec.priorityClassName} was found`);
      value = pc.value ?? 0;
      preemptionPolicy = pc.preemptionPolicy;
    }
    if (spec.priority != null && spec.priority !== value) {
      throw forbid(attrs, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
    }
    spec.priority = value;
    if (preemptionPolicy) {
      if (spec.preemptionPolicy != null && spec.preemptionPolicy !== preemptionPolicy) {
        throw forbid(attrs, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`);
      }
      spec.preemptionPolicy = preemptionPolicy;
    }
  }

  async function admitPriorityClass(attrs: AdmissionAttributes): Promise<void> {
    const pc = attrs.object;
    if (pc.globalDefault !== true) return;
    const other = (await opts.listPriorityClasses(true)).find((c) => c.globalDefault === true && c.metadata.name !== pc.metadata.name);
    if (other) throw forbid(attrs, `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
  }

  return {
    name: 'Priority',
    resources: ['/pods', 'scheduling.k8s.io/priorityclasses'],
    async admit(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.subresource) return;
      if (attrs.def.group === '' && attrs.def.resource === 'pods') return admitPod(attrs);
      if (attrs.def.group === 'scheduling.k8s.io' && attrs.def.resource === 'priorityclasses') return admitPriorityClass(attrs);
    },
  };
}
