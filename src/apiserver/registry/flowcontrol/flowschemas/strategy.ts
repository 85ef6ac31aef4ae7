// flowschemas (flowcontrol.apiserver.k8s.io/v1, cluster-scoped, status subresource): defaults and validation as
// upstream (../validation.ts), status cleared on create and kept by main-resource writes, and the NAME
// PRIORITYLEVEL MATCHINGPRECEDENCE DISTINGUISHERMETHOD AGE MISSINGPL table, rows in matching order as upstream's
// printFlowSchemaList sorts them.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { defaultFlowSchema, validateFlowSchema } from '../validation.js';
import { matchingOrder } from '../../../flowcontrol/matching.js';

/** What the Dangling condition says about the referenced priority level ("?" before the controller wrote one). */
function missingPL(fs: KubeObject): string {
  const c = (fs.status?.conditions ?? []).find((x: any) => x?.type === 'Dangling');
  return c ? String(c.status ?? '') : '?';
}

export const flowschemas: ResourceDefinition = {
  ...resources.flowschemas,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: defaultFlowSchema,
    prepareForCreate(obj) { obj.status = {}; },
    validate: (obj) => validateFlowSchema(obj),
    validateUpdate: (obj) => validateFlowSchema(obj),
    table: {
      columns: [
        nameColumn(),
        column('PriorityLevel', 'string', '`name` is the name of the priority level configuration being referenced Required.'),
        column('MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.'),
        column('DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.'),
        ageColumn(),
        column('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
      ],
      row: (o, now) => [
        o.metadata.name, o.spec?.priorityLevelConfiguration?.name ?? '', o.spec?.matchingPrecedence ?? 0,
        o.spec?.distinguisherMethod ? String(o.spec.distinguisherMethod.type ?? '') : '<none>',
        translateTimestampSince(o.metadata.creationTimestamp, now), missingPL(o),
      ],
      sort: matchingOrder,
    },
  },
};
