import createDOMPurify, { type DOMPurify } from 'dompurify';
import { JSDOM } from 'jsdom';

let purifier: DOMPurify | undefined;

/** One DOMPurify on one jsdom window per thread: building a window costs milliseconds. */
function getPurifier(): DOMPurify {
  if (purifier) return purifier;
  const { window } = new JSDOM('');
  const p = createDOMPurify(window);
  p.addHook('afterSanitizeAttributes', node => {
    if (node.nodeName === 'A') {
      node.setAttribute('rel', 'noopener noreferrer nofollow');
      if (node.hasAttribute('target')) node.setAttribute('target', '_blank');
    }
  });
  purifier = p;
  return p;
}

/**
 * Makes HTML safe for consumers to render: no scripts, event handlers, javascript: URLs, iframes, forms
 * or styles; links get rel="noopener noreferrer nofollow".
 */
export function sanitizeHtml(html: string): string {
  return getPurifier().sanitize(html, {
    FORBID_TAGS: [
      'style',
      'form',
      'iframe',
      'frame',
      'object',
      'embed',
      'input',
      'button',
      'textarea',
      'select',
    ],
    FORBID_ATTR: ['style'],
    ALLOW_DATA_ATTR: false,
  });
}
