import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with the expected one in time that depends on neither: both are hashed first, so
 * the comparison always runs over 32 equal-length bytes and its duration says nothing about where they differ
 * or how long the secret is. For the dashboard token and WebSub callback tokens.
 */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
