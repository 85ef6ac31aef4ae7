// The image store's public surface: the kubelet, src/cmd and src/cli import only this file.
export type * from './types.js';
