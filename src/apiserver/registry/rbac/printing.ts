// Table columns of the four RBAC kinds, as upstream's printers (roles: NAME, CREATED AT; bindings: NAME, ROLE,
// AGE and, wide, USERS, GROUPS, SERVICEACCOUNTS).
import type { KubeObject } from '../../../api/object.js';
import type { Strategy } from '../types.js';
import { column, nameColumn, ageColumn, DESCRIPTIONS } from '../printing.js';
import { translateTimestampSince } from '../age.js';
import { subjectCells } from './validation.js';

export const roleTable: NonNullable<Strategy['table']> = {
  columns: [nameColumn(), column('Created At', 'date', DESCRIPTIONS.creationTimestamp)],
  row: (o: KubeObject) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
};

export function bindingTable(roleRefDescription: string): NonNullable<Strategy['table']> {
  return {
    columns: [
      nameColumn(), column('Role', 'string', roleRefDescription), ageColumn(),
      column('Users', 'string', 'Users in the roleBinding', { priority: 1 }),
      column('Groups', 'string', 'Groups in the roleBinding', { priority: 1 }),
      column('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', { priority: 1 }),
    ],
    row: (o: KubeObject, now: Date) => [o.metadata.name, `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`, translateTimestampSince(o.metadata.creationTimestamp, now), ...subjectCells(o)],
  };
}
