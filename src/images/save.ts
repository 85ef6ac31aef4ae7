// `nanokube image save IMAGE... FILE` (minikube's `image save`): writes images as one tar that both OCI tools and
// `docker load` / `nanokube image load` read, as `docker save` has written since docker 25: an OCI image layout
// (oci-layout, index.json naming each image, blobs/sha256) plus docker's manifest.json pointing into the blobs.
// An image standing on the host root filesystem keeps its marker annotation; the archive then holds only its own
// layers, which only a nanokube host can complete, and the caller is told so.
import { linkSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { ANNOTATION_HOST_ROOT, ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST, type Descriptor } from './oci.js';
import { familiarName, normalizeReference, parseReference } from './reference.js';
import { ImageNotFoundError, type ImageStore, type StoredImage } from './store.js';

export interface SaveResult { saved: { ref: string; id: string; hostRoot: boolean }[] }

export async function saveImageArchive(store: ImageStore, refs: string[], file: string): Promise<SaveResult> {
  const picked: { ref: string; img: StoredImage }[] = [];
  for (const ref of refs) {
    const img = store.find(ref);
    if (!img) throw new ImageNotFoundError(ref);
    picked.push({ ref, img });
  }
  const work = store.tempDir('save');
  try {
    const blobs = join(work, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const put = (digest: string) => {
      const dst = join(blobs, digest.slice(7));
      try { linkSync(store.blobPath(digest), dst); } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
        copyFileSync(store.blobPath(digest), dst);
      }
    };
    const manifests: Descriptor[] = [];
    const dockerManifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const out: SaveResult = { saved: [] };
    for (const { ref, img } of picked) {
      put(img.manifestDigest); put(img.configDigest);
      for (const l of img.manifest.layers) put(l.digest);
      // Name the image as asked when a name was given, else by all its names.
      let names: string[];
      try { names = img.names.includes(normalizeReference(ref)) ? [normalizeReference(ref)] : img.names; } catch { names = img.names; }
      const size = Buffer.byteLength(JSON.stringify(img.manifest));
      for (const n of names.length ? names : [undefined]) {
        const tag = n ? parseReference(n).tag : undefined;
        manifests.push({ mediaType: MEDIA_TYPE_MANIFEST, digest: img.manifestDigest, size, ...(n ? { annotations: { [ANNOTATION_IMAGE_NAME]: n, ...(tag ? { [ANNOTATION_REF_NAME]: tag } : {}) } } : {}) });
      }
      dockerManifest.push({ Config: `blobs/sha256/${img.configDigest.slice(7)}`, RepoTags: names.map((n) => familiarName(n)), Layers: img.manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) });
      out.saved.push({ ref, id: img.configDigest, hostRoot: img.manifest.annotations?.[ANNOTATION_HOST_ROOT] === 'true' });
    }
    writeFileSync(join(work, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(join(work, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests }));
    writeFileSync(join(work, 'manifest.json'), JSON.stringify(dockerManifest));
    await tar.c({ file, cwd: work, portable: true }, ['oci-layout', 'index.json', 'manifest.json', 'blobs']);
    return out;
  } finally { rmSync(work, { recursive: true, force: true }); }
}
