// The image store's public surface: the kubelet, runtimes, src/cmd and src/cli import only this file.
// Runtimes and the kubelet use the ImageStoreReader seam (resolve/list/remove) and imageNotPresentMessage for the
// images the store cannot provide; `nanokube image ...` uses the builder and the loader.
export type * from './types.js';
export { ImageStore, ImageNotFoundError, ImageInUseError, imageNotPresentMessage, imageSize, type ImageStoreOptions, type StoredImage } from './store.js';
export { normalizeReference, familiarName, parseReference, InvalidReferenceError } from './reference.js';
export { hostBaseFor, WELL_KNOWN_BASES } from './host-base.js';
export { buildImage, BuildError, type BuildOptions, type BuildResult } from './build.js';
export { loadImageArchive, LoadError, type LoadResult } from './load.js';
export { saveImageArchive, type SaveResult } from './save.js';
export { runInImage, RunNeedsRootError, type RunInImageOptions } from './run-in-image.js';
export { ANNOTATION_HOST_ROOT } from './oci.js';
export { overlayOptions, lowerdirsFor, mountHostRootView, unmountHostRootView } from './overlay.js';
export { writeBusyboxArchive, runInStoredImage, haveBusybox, isRoot } from './testing.js';
