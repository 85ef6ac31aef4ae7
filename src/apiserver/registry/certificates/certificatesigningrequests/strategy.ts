// certificatesigningrequests (certificates.k8s.io/v1, upstream pkg/registry/certificates/certificates): a request
// for a certificate from a named signer. The server records who asked (spec.username, uid, groups, extra from the
// requester) and clears status on create; the main resource changes only metadata, /status only status (the
// signer's certificate and Failed conditions), /approval only the Approved/Denied conditions (`kubectl certificate
// approve|deny`). Validation and the Table follow upstream.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition, StrategyContext } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince, humanDuration } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { resources } from '../../../../api/resources.js';
import { clone } from '../../object-meta.js';

/** Upstream's KeyUsage values (certificates/v1 types.go), in its order. */
export const KEY_USAGES = ['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement',
  'data encipherment', 'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth',
  'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping',
  'ocsp signing', 'microsoft sgc', 'netscape sgc'];

const DESCRIPTIONS = {
  "signerName": "signerName indicates the requested signer, and is a qualified name.\n\nList/watch requests for CertificateSigningRequests can filter on this field using a \"spec.signerName=NAME\" fieldSelector.\n\nWell-known Kubernetes signers are:\n 1. \"kubernetes.io/kube-apiserver-client\": issues client certificates that can be used to authenticate to kube-apiserver.\n  Requests for this signer are never auto-approved by kube-controller-manager, can be issued by the \"csrsigning\" controller in kube-controller-manager.\n 2. \"kubernetes.io/kube-apiserver-client-kubelet\": issues client certificates that kubelets use to authenticate to kube-apiserver.\n  Requests for this signer can be auto-approved by the \"csrapproving\" controller in kube-controller-manager, and can be issued by the \"csrsigning\" controller in kube-controller-manager.\n 3. \"kubernetes.io/kubelet-serving\" issues serving certificates that kubelets use to serve TLS endpoints, which kube-apiserver can connect to securely.\n  Requests for this signer are never auto-approved by kube-controller-manager, and can be issued by the \"csrsigning\" controller in kube-controller-manager.\n\nMore details are available at https://k8s.io/docs/reference/access-authn-authz/certificate-signing-requests/#kubernetes-signers\n\nCustom signerNames can also be specified. The signer defines:\n 1. Trust distribution: how trust (CA bundles) are distributed.\n 2. Permitted subjects: and behavior when a disallowed subject is requested.\n 3. Required, permitted, or forbidden x509 extensions in the request (including whether subjectAltNames are allowed, which types, restrictions on allowed values) and behavior when a disallowed extension is requested.\n 4. Required, permitted, or forbidden key usages / extended key usages.\n 5. Expiration/certificate lifetime: whether it is fixed by the signer, configurable by the admin.\n 6. Whether or not requests for CA certificates are allowed.",
  "request": "request contains an x509 certificate signing request encoded in a \"CERTIFICATE REQUEST\" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.",
  "expirationSeconds": "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes.",
  "conditions": "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", and \"Failed\".",
};

const LEGACY_SIGNER = 'kubernetes.io/legacy-unknown';
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** ValidateSignerName: <domain with at least two labels>/<path>, as upstream (messages word for word). */
function validateSignerName(name: unknown): FieldError[] {
  const path = 'spec.signerName';
  if (typeof name !== 'string' || name === '') return [FieldError.required(path)];
  const slash = name.indexOf('/');
  if (slash < 0) return [FieldError.invalid(path, name, 'must be a fully qualified domain and path of the form \'example.com/signer-name\'')];
  const domain = name.slice(0, slash), rest = name.slice(slash + 1);
  const errs: FieldError[] = [];
  if (rest === '') errs.push(FieldError.invalid(path, name, 'validating path: must not be empty'));
  const labels = domain.split('.');
  if (labels.length < 2) errs.push(FieldError.invalid(path, name, 'should be a domain with at least two segments separated by dots'));
  else if (labels.some((l) => !DNS1123_LABEL.test(l))) errs.push(FieldError.invalid(path, name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  return errs;
}

async function validateRequest(request: unknown): Promise<FieldError[]> {
  const path = 'spec.request';
  if (typeof request !== 'string' || request === '') return [FieldError.required(path)];
  const pem = Buffer.from(request, 'base64').toString('utf8');
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) return [FieldError.invalid(path, '<bytes>', 'PEM block type must be CERTIFICATE REQUEST')];
  if (m[1] !== 'CERTIFICATE REQUEST') return [FieldError.invalid(path, '<bytes>', 'PEM block type must be CERTIFICATE REQUEST')];
  try {
    const { parseCertificateRequest } = await import('../../../../pki/certificates.js');
    await parseCertificateRequest(m[0]);
  } catch (e) {
    return [FieldError.invalid(path, '<bytes>', `x509: malformed certificate request: ${(e as Error).message}`)];
  }
  return [];
}

function validateConditions(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false, denied = false;
  (obj.status?.conditions ?? []).forEach((c: any, i: number) => {
    const p = `status.conditions[${i}]`;
    if (!c?.type) { errs.push(FieldError.required(`${p}.type`)); return; }
    if (['Approved', 'Denied', 'Failed'].includes(c.type)) {
      if (seen.has(c.type)) errs.push(FieldError.duplicate(`${p}.type`, c.type));
      if (!['True'].includes(c.status)) errs.push(FieldError.notSupported(`${p}.status`, c.status, ['True']));
    } else if (!['True', 'False', 'Unknown'].includes(c.status)) {
      errs.push(FieldError.notSupported(`${p}.status`, c.status, ['False', 'True', 'Unknown']));
    }
    seen.add(c.type);
    if (c.type === 'Approved') { approved = true; if (denied) errs.push(FieldError.invalid(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive')); }
    if (c.type === 'Denied') { denied = true; if (approved) errs.push(FieldError.invalid(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive')); }
  });
  return errs;
}

async function validateCSR(obj: KubeObject): Promise<FieldError[]> {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [...await validateRequest(spec.request)];
  errs.push(...validateSignerName(spec.signerName));
  if (spec.expirationSeconds != null && spec.expirationSeconds < 600) {
    errs.push(FieldError.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  if (!Array.isArray(spec.usages) || spec.usages.length === 0) errs.push(FieldError.required('spec.usages'));
  else {
    const seen = new Set<string>();
    spec.usages.forEach((u: string, i: number) => {
      if (!KEY_USAGES.includes(u)) errs.push(FieldError.notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
      else if (seen.has(u)) errs.push(FieldError.duplicate(`spec.usages[${i}]`, u));
      seen.add(u);
    });
  }
  errs.push(...validateConditions(obj));
  return errs;
}

const has = (o: KubeObject, type: string) => (o.status?.conditions ?? []).some((c: any) => c?.type === type);

/** Upstream's extractCSRStatus: Denied|Approved|Pending, then ,Failed and ,Issued. */
export function csrCondition(o: KubeObject): string {
  let s = has(o, 'Denied') ? 'Denied' : has(o, 'Approved') ? 'Approved' : 'Pending';
  if (has(o, 'Failed')) s += ',Failed';
  if (o.status?.certificate) s += ',Issued';
  return s;
}

function fillRequester(obj: KubeObject, ctx: StrategyContext): void {
  const u = ctx.user;
  obj.spec = { ...(obj.spec ?? {}) };
  obj.spec.username = u?.username ?? '';
  if (u?.uid) obj.spec.uid = u.uid; else delete obj.spec.uid;
  obj.spec.groups = u ? [...u.groups] : [];
  if (u?.extra && Object.keys(u.extra).length) obj.spec.extra = clone(u.extra); else delete obj.spec.extra;
}

export const certificateSigningRequests: ResourceDefinition = {
  ...resources.certificatesigningrequests,
  strategy: {
    hasStatus: true,
    defaults(obj) {
      for (const c of obj.status?.conditions ?? []) if (c && typeof c === 'object' && !c.status) c.status = 'True';
    },
    prepareForCreate(obj, ctx) {
      fillRequester(obj, ctx);
      obj.status = {};
    },
    prepareForUpdate(newObj, oldObj) {
      newObj.spec = clone(oldObj.spec);
      newObj.status = clone(oldObj.status);
    },
    prepareForStatusUpdate(newObj, oldObj) {
      const status = newObj.status ?? {};
      Object.assign(newObj, { spec: clone(oldObj.spec) });
      newObj.metadata = clone(oldObj.metadata);
      // /status may not change the approval: Approved and Denied conditions stay as they were.
      const approval = (oldObj.status?.conditions ?? []).filter((c: any) => c.type === 'Approved' || c.type === 'Denied');
      const others = (status.conditions ?? []).filter((c: any) => c?.type !== 'Approved' && c?.type !== 'Denied');
      newObj.status = { ...status, conditions: [...approval, ...others] };
      if (newObj.status.conditions.length === 0) delete newObj.status.conditions;
    },
    subresources: {
      approval: {
        prepareForUpdate(newObj, oldObj) {
          const conditions = newObj.status?.conditions;
          newObj.spec = clone(oldObj.spec);
          newObj.status = { ...clone(oldObj.status ?? {}), ...(conditions ? { conditions } : {}) };
          if (!conditions) delete newObj.status.conditions;
        },
      },
    },
    validate: (obj) => validateCSR(obj),
    async validateUpdate(newObj, oldObj) {
      const errs = validateConditions(newObj);
      for (const t of ['Approved', 'Denied']) {
        if (has(oldObj, t) && !has(newObj, t)) errs.push(FieldError.forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
      }
      if (newObj.status?.certificate && oldObj.status?.certificate && newObj.status.certificate !== oldObj.status.certificate) {
        errs.push(FieldError.forbidden('status.certificate', 'updates may not modify existing certificate content'));
      }
      if (newObj.status?.certificate && !oldObj.status?.certificate && !has(newObj, 'Approved')) {
        errs.push(FieldError.forbidden('status.certificate', 'certificate issuance requires an Approved condition'));
      }
      return errs;
    },
    fieldSelectors: { 'spec.signerName': (o) => o.spec?.signerName ?? '' },
    table: {
      columns: [
        nameColumn(),
        ageColumn(),
        column('SignerName', 'string', DESCRIPTIONS.signerName),
        column('Requestor', 'string', DESCRIPTIONS.request),
        column('RequestedDuration', 'string', DESCRIPTIONS.expirationSeconds),
        column('Condition', 'string', DESCRIPTIONS.conditions),
      ],
      row: (o, now) => [
        o.metadata.name, translateTimestampSince(o.metadata.creationTimestamp, now), o.spec?.signerName ?? '', o.spec?.username ?? '',
        o.spec?.expirationSeconds != null ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>', csrCondition(o),
      ],
    },
  },
};

export { LEGACY_SIGNER };
