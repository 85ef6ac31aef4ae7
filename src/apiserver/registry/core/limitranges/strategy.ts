// limitranges (core/v1): upstream's defaults for Container items (default from max, defaultRequest from default
// or min), validation of types and quantities (min <= defaultRequest <= default <= max), and the NAME CREATED AT
// table as upstream's printers.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, DESCRIPTIONS } from '../../printing.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { quantityNumber } from '../../../../api/quantity.js';
import { validateResourceList } from '../resourcequotas/strategy.js';

export const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];

/** SetDefaults_LimitRangeItem. */
function defaultItem(item: any): void {
  if (item?.type !== 'Container') return;
  const def: Record<string, unknown> = { ...(item.default ?? {}) };
  const defReq: Record<string, unknown> = { ...(item.defaultRequest ?? {}) };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(defReq).length) item.defaultRequest = defReq;
}

function validateLimitRange(lr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const limits: any[] = lr.spec?.limits ?? [];
  limits.forEach((item, i) => {
    const p = `spec.limits[${i}]`;
    if (!item?.type) errs.push(FieldError.required(`${p}.type`));
    else if (!LIMIT_TYPES.includes(item.type)) errs.push(FieldError.notSupported(`${p}.type`, item.type, LIMIT_TYPES));
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) errs.push(...validateResourceList(item?.[f], `${p}.${f}`));
    if (item?.type === 'Pod') {
      if (item.default) errs.push(FieldError.forbidden(`${p}.default`, 'may not be specified when `type` is \'Pod\''));
      if (item.defaultRequest) errs.push(FieldError.forbidden(`${p}.defaultRequest`, 'may not be specified when `type` is \'Pod\''));
    }
    const q = (f: string, k: string) => quantityNumber(item?.[f]?.[k]);
    const keys = new Set(['max', 'min', 'default', 'defaultRequest'].flatMap((f) => Object.keys(item?.[f] ?? {})));
    for (const k of keys) {
      const [max, min, def, defReq] = [q('max', k), q('min', k), q('default', k), q('defaultRequest', k)];
      const s = (f: string) => String(item[f][k]);
      if (!Number.isNaN(min) && !Number.isNaN(max) && min > max) errs.push(FieldError.invalid(`${p}.min[${k}]`, s('min'), `min value ${s('min')} is greater than max value ${s('max')}`));
      if (!Number.isNaN(defReq) && !Number.isNaN(max) && defReq > max) errs.push(FieldError.invalid(`${p}.defaultRequest[${k}]`, s('defaultRequest'), `default request value ${s('defaultRequest')} is greater than max value ${s('max')}`));
      if (!Number.isNaN(defReq) && !Number.isNaN(min) && defReq < min) errs.push(FieldError.invalid(`${p}.defaultRequest[${k}]`, s('defaultRequest'), `min value ${s('min')} is greater than default request value ${s('defaultRequest')}`));
      if (!Number.isNaN(def) && !Number.isNaN(max) && def > max) errs.push(FieldError.invalid(`${p}.default[${k}]`, s('default'), `default value ${s('default')} is greater than max value ${s('max')}`));
      if (!Number.isNaN(def) && !Number.isNaN(min) && def < min) errs.push(FieldError.invalid(`${p}.default[${k}]`, s('default'), `min value ${s('min')} is greater than default value ${s('default')}`));
      if (!Number.isNaN(defReq) && !Number.isNaN(def) && defReq > def) errs.push(FieldError.invalid(`${p}.defaultRequest[${k}]`, s('defaultRequest'), `default request value ${s('defaultRequest')} is greater than default limit value ${s('default')}`));
    }
  });
  return errs;
}

export const limitranges: ResourceDefinition = {
  ...resources.limitranges,
  strategy: {
    defaults(obj) { for (const item of obj.spec?.limits ?? []) defaultItem(item); },
    validate: (obj) => validateLimitRange(obj),
    validateUpdate: (obj) => validateLimitRange(obj),
    table: {
      columns: [nameColumn(), column('Created At', 'date', DESCRIPTIONS.creationTimestamp)],
      row: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
    },
  },
};
