// configmaps (core/v1): key validation, the 1 MiB size limit, `immutable`, base64 binaryData.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError, badRequest } from '../../../../api/errors.js';
import { TooLongFieldError, base64Error, isConfigMapKey, semanticEqual } from '../../../../api/validation/index.js';
import { resources } from '../../../../api/resources.js';

export const MAX_SECRET_SIZE = 1024 * 1024;

/** Throws the 400 Go's JSON decoder gives for a []byte map value that is not standard base64. */
export function checkBase64Map(obj: KubeObject, field: string): void {
  const m = obj[field];
  if (m == null || typeof m !== 'object') return;
  for (const v of Object.values(m)) {
    const err = typeof v === 'string' ? base64Error(v) : v == null ? undefined : 'illegal base64 data at input byte 0';
    if (err) throw badRequest(`${obj.kind ?? 'Object'} in version "v1" cannot be handled as a ${obj.kind ?? 'Object'}: ${err}`);
  }
}
const decodedLen = (b64: string) => Buffer.from(b64.replace(/[\r\n]/g, ''), 'base64').length;

function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  const data: Record<string, string> = obj.data ?? {};
  const binary: Record<string, string> = obj.binaryData ?? {};
  for (const k of Object.keys(data).sort()) {
    for (const m of isConfigMapKey(k)) errs.push(FieldError.invalid(`data[${k}]`, k, m));
    if (k in binary) errs.push(FieldError.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(data[k] ?? ''));
  }
  for (const k of Object.keys(binary).sort()) {
    for (const m of isConfigMapKey(k)) errs.push(FieldError.invalid(`binaryData[${k}]`, k, m));
    total += decodedLen(String(binary[k] ?? ''));
  }
  if (total > MAX_SECRET_SIZE) errs.push(new TooLongFieldError('', MAX_SECRET_SIZE));
  return errs;
}

export const configmaps: ResourceDefinition = {
  ...resources.configmaps,
  strategy: {
    defaults(obj) { checkBase64Map(obj, 'binaryData'); },
    validate: (obj) => validateConfigMap(obj),
    validateUpdate(newObj, oldObj) {
      const errs = validateConfigMap(newObj);
      if (oldObj.immutable === true) {
        if (newObj.immutable !== true) errs.push(FieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
        if (!semanticEqual(newObj.data, oldObj.data)) errs.push(FieldError.forbidden('data', 'field is immutable when `immutable` is set'));
        if (!semanticEqual(newObj.binaryData, oldObj.binaryData)) errs.push(FieldError.forbidden('binaryData', 'field is immutable when `immutable` is set'));
      }
      return errs;
    },
    table: {
      columns: [nameColumn(), column('Data', 'string', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."), ageColumn()],
      row: (o, now) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
