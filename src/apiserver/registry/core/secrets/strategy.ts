// secrets (core/v1): data is base64 on the wire (a bad value is a 400 from decoding, as upstream),
// stringData is merged into data (stringData wins) and never stored, type defaults to Opaque, and
// type-specific required keys. Never log data.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { TooLongFieldError, isConfigMapKey, semanticEqual } from '../../../../api/validation/index.js';
import { MAX_SECRET_SIZE, checkBase64Map } from '../configmaps/strategy.js';
import { resources } from '../../../../api/resources.js';

/** Moves stringData into data (base64-encoded, overriding data keys), as the v1 → internal conversion does. */
function mergeStringData(obj: KubeObject): void {
  if (obj.stringData == null) return;
  if (typeof obj.stringData === 'object') {
    obj.data = { ...(obj.data ?? {}) };
    for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  }
  delete obj.stringData;
}

const has = (obj: KubeObject, key: string) => obj.data != null && Object.prototype.hasOwnProperty.call(obj.data, key);

function validateSecret(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  const data: Record<string, string> = obj.data ?? {};
  for (const k of Object.keys(data).sort()) {
    for (const m of isConfigMapKey(k)) errs.push(FieldError.invalid(`data[${k}]`, k, m));
    total += Buffer.from(String(data[k] ?? '').replace(/[\r\n]/g, ''), 'base64').length;
  }
  if (total > MAX_SECRET_SIZE) errs.push(new TooLongFieldError('data', MAX_SECRET_SIZE));
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(FieldError.required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
      if (!has(obj, '.dockercfg')) errs.push(FieldError.required('data[.dockercfg]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has(obj, '.dockerconfigjson')) errs.push(FieldError.required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has(obj, 'username') && !has(obj, 'password')) {
        errs.push(FieldError.required('data[username]'), FieldError.required('data[password]'));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!has(obj, 'ssh-privatekey')) errs.push(FieldError.required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has(obj, 'tls.crt')) errs.push(FieldError.required('data[tls.crt]'));
      if (!has(obj, 'tls.key')) errs.push(FieldError.required('data[tls.key]'));
      break;
    default:
  }
  return errs;
}

export const secrets: ResourceDefinition = {
  ...resources.secrets,
  strategy: {
    defaults(obj) {
      checkBase64Map(obj, 'data');
      mergeStringData(obj);
      if (!obj.type) obj.type = 'Opaque';
    },
    validate: (obj) => validateSecret(obj),
    validateUpdate(newObj, oldObj) {
      const errs = validateSecret(newObj);
      if (newObj.type !== oldObj.type) errs.push(FieldError.invalid('type', newObj.type, 'field is immutable'));
      if (oldObj.immutable === true) {
        if (newObj.immutable !== true) errs.push(FieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
        if (!semanticEqual(newObj.data, oldObj.data)) errs.push(FieldError.forbidden('data', 'field is immutable when `immutable` is set'));
      }
      return errs;
    },
    fieldSelectors: { type: (o) => o.type ?? '' },
    table: {
      columns: [
        nameColumn(),
        column('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
        column('Data', 'string', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, o.type ?? '', Object.keys(o.data ?? {}).length, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
