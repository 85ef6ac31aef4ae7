// DefaultIngressClass (upstream plugin/pkg/admission/network/defaultingressclass): a new Ingress that names no
// class (neither spec.ingressClassName nor the deprecated kubernetes.io/ingress.class annotation) gets the name of
// the IngressClass annotated ingressclass.kubernetes.io/is-default-class: "true"; when several are marked, the
// most recently created one wins, as upstream since 1.28. Only creates are changed.
import type { KubeObject } from '../../api/object.js';
import { INGRESS_CLASS_ANNOTATION, isDefaultIngressClass } from '../../api/ingress.js';
import type { AdmissionPlugin } from './admission.js';

export interface DefaultIngressClassOptions {
  /** Lists every IngressClass. */
  listIngressClasses(): Promise<KubeObject[]>;
}

export function defaultIngressClass(opts: DefaultIngressClassOptions): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    resources: ['networking.k8s.io/ingresses'],
    async admit(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.subresource) return;
      if (attrs.def.group !== 'networking.k8s.io' || attrs.def.resource !== 'ingresses') return;
      const ing = attrs.object;
      if (ing.spec?.ingressClassName != null) return;
      if (ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return;
      const defaults = (await opts.listIngressClasses()).filter(isDefaultIngressClass);
      if (defaults.length === 0) return;
      // Newest first; ties broken by name so the choice is stable.
      defaults.sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? ''))
        || String(a.metadata.name).localeCompare(String(b.metadata.name)));
      ing.spec = ing.spec && typeof ing.spec === 'object' ? ing.spec : {};
      ing.spec.ingressClassName = defaults[0].metadata.name;
    },
  };
}
