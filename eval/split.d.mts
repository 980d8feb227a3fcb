export type Part = 'fit' | 'validation';
export const PARTS: readonly Part[];
export function partOf(id: string): Part;
export function pick<T>(truth: Record<string, T>, part: Part): Record<string, T>;
