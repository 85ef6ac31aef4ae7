// The OCI image-spec documents the store keeps (image-layout, index, manifest, config), trimmed to what nanokube
// reads and writes. Docker's own config JSON (from `docker save`) has the same shape for these fields.

export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const MEDIA_TYPE_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const DOCKER_MEDIA_TYPE_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MEDIA_TYPE_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** Annotation on index.json entries: the full image name (docker and containerd write it on export). */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
/** Annotation on index.json entries: the tag, as `docker save` writes it in OCI archives. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
/**
 * Annotation on a manifest whose image stands on the host's own root filesystem: its lowest layer is "/" (no blob),
 * which nanokube adds under the manifest's layers when it mounts the image. Such an image only runs on this host.
 */
export const ANNOTATION_HOST_ROOT = 'io.nanokube.image.base.host-root';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface OciIndex { schemaVersion: 2; mediaType?: string; manifests: Descriptor[] }

export interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object>;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    StopSignal?: string;
    Shell?: string[];
    OnBuild?: string[] | null;
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
}

/** GOARCH of this host, as image configs name architectures. */
export function hostArchitecture(): string {
  const m: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return m[process.arch] ?? process.arch;
}
