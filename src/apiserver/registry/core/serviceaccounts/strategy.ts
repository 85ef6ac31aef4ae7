// serviceaccounts (core/v1).
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { resources } from '../../../../api/resources.js';

export const serviceaccounts: ResourceDefinition = {
  ...resources.serviceaccounts,
  strategy: {
    validate(obj) {
      const errs: FieldError[] = [];
      (obj.secrets ?? []).forEach((s: any, i: number) => { if (!s?.name) errs.push(FieldError.required(`secrets[${i}].name`)); });
      return errs;
    },
    table: {
      columns: [
        nameColumn(),
        column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, (o.secrets ?? []).length, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
