// Shared validators with upstream's messages. See names.ts (string formats), object-meta.ts, label-selector.ts,
// base64.ts and go-value.ts (how upstream prints bad values).
export * from './names.js';
export * from './object-meta.js';
export * from './label-selector.js';
export * from './base64.js';
export * from './go-value.js';
