// The seam between the local image store (`nanokube image build|load|ls|rm|inspect`) and the runtimes that run
// its images. Images are kept as OCI image layouts (content-addressed blobs, exportable), and each layer is also
// kept unpacked once, as containerd's overlay snapshotter does, so a container's root filesystem is an overlay of
// those folders plus its own writable layer.

/** The runtime part of an OCI image config (config.Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts). */
export interface ImageRuntimeConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** "KEY=value" strings, as in the OCI config. */
  env?: string[];
  workingDir?: string;
  user?: string;
  exposedPorts?: string[];
  labels?: Record<string, string>;
}

export interface ResolvedImage {
  /** "sha256:<digest of the image config>", the imageID a pod's containerStatuses show. */
  id: string;
  /** Normalized references naming it, e.g. "docker.io/library/busybox:latest". */
  repoTags: string[];
  /** "<repo>@sha256:<manifest digest>". */
  repoDigests: string[];
  /** Bytes of its layers (the host root filesystem layer counts 0). */
  size: number;
  config: ImageRuntimeConfig;
  /**
   * Unpacked layer folders, lowest first, ready to be overlay lowerdirs. A base image resolved to the host's own
   * root filesystem contributes "/" as its lowest layer. Mount them through lowerdirsFor() (overlay.ts): overlayfs
   * refuses "/" beside layer folders that live on the same filesystem, so it stands in a read-only view of "/".
   */
  layers: string[];
}

export interface ImageStoreReader {
  /** The image a reference names ("busybox", "busybox:1.36", "docker.io/library/busybox:latest", "sha256:..."), or null. */
  resolve(ref: string): Promise<ResolvedImage | null>;
  list(): Promise<ResolvedImage[]>;
  remove(ref: string): Promise<void>;
}
