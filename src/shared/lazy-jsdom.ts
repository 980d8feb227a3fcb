import { createRequire } from 'node:module';

/**
 * jsdom takes about a second to load (CSSOM, css-tree, whatwg-url, …). Only extraction with the jsdom DOM and
 * the sanitizer need it, so it is loaded on first use: CLI commands and roles that never sanitize start
 * without it. jsdom is CommonJS, so a synchronous require keeps its callers synchronous.
 */
type JsdomModule = typeof import('jsdom');

const require = createRequire(import.meta.url);
let loaded: JsdomModule | undefined;

export function jsdom(): JsdomModule {
  loaded ??= require('jsdom') as JsdomModule;
  return loaded;
}
