import { describe, expect, it } from 'vitest';
import { BLOCK_ELEMENTS, blockElementsExcept } from '../../../src/shared/blocks.js';

describe('one block-element vocabulary', () => {
  it('a subset leaves out exactly what it names', () => {
    const s = blockElementsExcept('br', 'hr');
    expect(s.has('br') || s.has('hr')).toBe(false);
    expect(s.size).toBe(BLOCK_ELEMENTS.size - 2);
    expect(s.has('p') && s.has('li') && s.has('td')).toBe(true);
  });

  it('refuses a name that is not a block element, so a typo cannot silently keep it', () => {
    expect(() => blockElementsExcept('span')).toThrow(/not a block element/);
    expect(() => blockElementsExcept('tbdoy')).toThrow(/not a block element/);
  });
});
