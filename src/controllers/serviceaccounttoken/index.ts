// The tokens controller (upstream's pkg/controller/serviceaccount TokensController, "serviceaccount-token"): a
// Secret of type kubernetes.io/service-account-token that names a ServiceAccount in its
// kubernetes.io/service-account.name annotation gets data.token (a legacy, non-expiring JWT signed with sa.key),
// data["ca.crt"] and data.namespace, and the kubernetes.io/service-account.uid annotation. Such a Secret whose
// ServiceAccount does not exist (or was recreated: another uid) is deleted, as upstream. It runs with the controller
// manager's own credentials, as upstream's (system:kube-controller-manager may create, update and delete Secrets).
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { metaNamespaceKey } from '../../client/keys.js';
import type { ServiceAccountKeyPair } from '../../pki/index.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export interface TokensControllerOptions extends ControllerOptions {
  /** The service-account signing key (<home>/pki/sa.key). */
  key: ServiceAccountKeyPair;
  /** The cluster CA bundle put in data["ca.crt"]. */
  rootCA: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function startTokensController(opts: TokensControllerOptions): Promise<void> {
  return startController(opts, { name: 'serviceaccount-token', queue: 'serviceaccount_tokens_secret', component: 'serviceaccount-token-controller', defaultWorkers: 1 }, ({ client, informers, log, queue }) => {
    const secrets = informers.informerFor(builtin.secrets);
    secrets.addEventHandler(enqueueHandlers(queue, (o: KubeObject) => (o.type === SERVICE_ACCOUNT_TOKEN_TYPE ? metaNamespaceKey(o) : undefined)));
    return {
      informers: [secrets],
      async reconcile(key) {
        const cached = secrets.get(key);
        if (!cached || cached.type !== SERVICE_ACCOUNT_TOKEN_TYPE || cached.metadata.deletionTimestamp) return;
        const ns = cached.metadata.namespace!, name = cached.metadata.name!;
        const saName = cached.metadata.annotations?.[SA_NAME_ANNOTATION];
        if (!saName) return;
        // The live ServiceAccount, not a cache: a Secret made right after its ServiceAccount must not be deleted.
        let sa: KubeObject | undefined;
        try { sa = await client.get(builtin.serviceaccounts, ns, saName); } catch (e) { if (!isNotFound(e)) throw e; }
        const wantUid = cached.metadata.annotations?.[SA_UID_ANNOTATION];
        if (!sa || (wantUid && wantUid !== sa.metadata.uid)) {
          try {
            await client.delete(builtin.secrets, ns, name, { preconditions: { uid: cached.metadata.uid } });
            log({ level: 'info', msg: 'deleted token secret of a missing service account', controller: 'serviceaccount-token', namespace: ns, name, serviceAccount: saName });
          } catch (e) { if (!isNotFound(e) && !isConflict(e)) throw e; }
          return;
        }
        const data = cached.data ?? {};
        if (data.token && data['ca.crt'] && data.namespace && wantUid) return;
        const secret = structuredClone(cached);
        secret.metadata.annotations = { ...(secret.metadata.annotations ?? {}), [SA_UID_ANNOTATION]: sa.metadata.uid! };
        secret.data = { ...(secret.data ?? {}) };
        if (!secret.data.token) {
          const { serviceAccountSigner, legacyClaims } = await import('../../pki/service-account-token.js');
          const token = await serviceAccountSigner(opts.key).sign(legacyClaims({ namespace: ns, name: saName, uid: sa.metadata.uid! }, name));
          secret.data.token = b64(token);
        }
        if (!secret.data['ca.crt']) secret.data['ca.crt'] = b64(opts.rootCA);
        if (!secret.data.namespace) secret.data.namespace = b64(ns);
        try {
          await client.update(builtin.secrets, secret);
          log({ level: 'info', msg: 'filled service account token secret', controller: 'serviceaccount-token', namespace: ns, name, serviceAccount: saName });
        } catch (e) {
          if (isConflict(e) || isNotFound(e)) return; // changed meanwhile: its event brings the key back
          throw e;
        }
      },
    };
  });
}
