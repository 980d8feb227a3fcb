/**
 * The DOM extraction runs on, chosen by the `extract.dom` setting:
 * - `lite` (default): our own small DOM built by parse5 (jsdom's parser); same trees and the same Readability
 *   output as jsdom on all 130 of Readability's test pages, about ten times faster (docs/PERFORMANCE.md);
 * - `jsdom`: the reference DOM, slow (a window per document, CSSOM, iframes);
 * - `linkedom`: fast to build, but its per-node event-target bookkeeping makes the garbage collector the
 *   bottleneck under Readability.
 */
import { createRequire } from 'node:module';
import type { VirtualConsole } from 'jsdom';
import { jsdom } from '../../../shared/lazy-jsdom.js';
import type { DomKind } from './kinds.js';
import { parseLiteDocument } from './parse.js';

// linkedom costs a quarter of a second to load, in every extraction thread; only `--dom linkedom` needs it.
const require = createRequire(import.meta.url);
let linkedom: typeof import('linkedom') | undefined;

export { DOM_KINDS, type DomKind } from './kinds.js';

export interface OpenedDocument {
  document: Document;
  kind: DomKind;
  /** Releases the document (jsdom keeps a window alive until closed). */
  close(): void;
}

let silentConsole: VirtualConsole | undefined;

export function openDocument(html: string, url: string, kind: DomKind): OpenedDocument {
  switch (kind) {
    case 'lite':
      return {
        document: parseLiteDocument(html, url) as unknown as Document,
        kind,
        close: () => undefined,
      };
    case 'jsdom': {
      const { JSDOM, VirtualConsole: Console } = jsdom();
      silentConsole ??= new Console();
      const dom = new JSDOM(html, { url, virtualConsole: silentConsole });
      return { document: dom.window.document, kind, close: () => dom.window.close() };
    }
    case 'linkedom': {
      linkedom ??= require('linkedom') as typeof import('linkedom');
      const { document } = linkedom.parseHTML(html) as unknown as { document: Document };
      return { document, kind, close: () => undefined };
    }
  }
}
