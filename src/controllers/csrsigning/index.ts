// The CSR signing controller (upstream's pkg/controller/certificates/signer, "csrsigning"): an approved
// CertificateSigningRequest for one of the built-in signers gets status.certificate, signed by the cluster CA, valid
// for spec.expirationSeconds (at most --cluster-signing-duration, 1 year). A request the signer may not sign (a
// kubelet signer asked for something other than a node's identity, usages it does not allow) gets a Failed
// condition instead, with upstream's reason SignerValidationFailure. Denied, failed and issued requests are left alone.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import type { KeyPairPem } from '../../pki/index.js';

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
/** Upstream's --cluster-signing-duration default. */
export const MAX_SIGNING_SECONDS = 365 * 24 * 3600;

export interface CSRSigningControllerOptions extends ControllerOptions {
  /** The cluster CA that signs (<home>/pki/ca.crt, ca.key). */
  ca: KeyPairPem;
}

const has = (csr: KubeObject, type: string) => (csr.status?.conditions ?? []).some((c: any) => c?.type === type);

/** Why a signer refuses the request (upstream's per-signer validation), or undefined when it may sign. */
export function signerRefusal(signerName: string, usages: string[], req: { commonName: string; organizations: string[]; dnsNames: string[]; ipAddresses: string[]; emailAddresses: string[]; uris: string[] }): string | undefined {
  const only = (allowed: string[]) => usages.filter((u) => !allowed.includes(u));
  switch (signerName) {
    case KUBE_APISERVER_CLIENT: {
      const bad = only(['digital signature', 'key encipherment', 'client auth']);
      return bad.length ? `invalid usage for client certificate: ${bad[0]}` : undefined;
    }
    case KUBE_APISERVER_CLIENT_KUBELET: {
      if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (req.dnsNames.length || req.ipAddresses.length || req.emailAddresses.length || req.uris.length) return 'subjectAltNames are not allowed';
      const bad = only(['digital signature', 'key encipherment', 'client auth']);
      return bad.length ? `usages did not match [digital signature key encipherment client auth]` : undefined;
    }
    case KUBELET_SERVING: {
      if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
      if (req.emailAddresses.length || req.uris.length) return 'Email and URI subjectAltNames are not allowed';
      const bad = only(['digital signature', 'key encipherment', 'server auth']);
      return bad.length ? 'usages did not match [digital signature key encipherment server auth]' : undefined;
    }
    default: return undefined;
  }
}

export function startCSRSigningController(opts: CSRSigningControllerOptions): Promise<void> {
  return startController(opts, { name: 'csrsigning', queue: 'certificate', component: 'csrsigning', defaultWorkers: 1 }, ({ client, informers, log, queue, clock }) => {
    const csrs = informers.informerFor(builtin.certificatesigningrequests);
    csrs.addEventHandler(enqueueHandlers(queue));
    const signers = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING];
    return {
      informers: [csrs],
      async reconcile(key) {
        const cached = csrs.get(key);
        if (!cached || !signers.includes(cached.spec?.signerName)) return;
        if (!has(cached, 'Approved') || has(cached, 'Denied') || has(cached, 'Failed') || cached.status?.certificate) return;
        const csr = structuredClone(cached);
        const { parseCertificateRequest, signCertificateRequest } = await import('../../pki/certificates.js');
        const pem = Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8');
        const usages: string[] = csr.spec.usages ?? [];
        let refusal: string | undefined;
        try { refusal = signerRefusal(csr.spec.signerName, usages, await parseCertificateRequest(pem)); }
        catch (e) { refusal = `unable to parse csr: ${(e as Error).message}`; }
        const now = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
        if (refusal) {
          csr.status = { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), {
            type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: refusal, lastUpdateTime: now, lastTransitionTime: now }] };
        } else {
          const seconds = Math.min(csr.spec.expirationSeconds ?? MAX_SIGNING_SECONDS, MAX_SIGNING_SECONDS);
          const cert = await signCertificateRequest(opts.ca, pem, { usages, durationSeconds: seconds, now: new Date(clock.now()) });
          csr.status = { ...(csr.status ?? {}), certificate: Buffer.from(cert).toString('base64') };
        }
        try {
          await client.updateStatus(builtin.certificatesigningrequests, csr);
          log({ level: 'info', msg: refusal ? 'refused certificate signing request' : 'signed certificate signing request', controller: 'csrsigning', name: csr.metadata.name, signerName: csr.spec.signerName });
        } catch (e) {
          // Changed or deleted meanwhile: the informer's event brings the key back when there is work left.
          if (isConflict(e) || isNotFound(e)) return;
          throw e;
        }
      },
    };
  });
}
