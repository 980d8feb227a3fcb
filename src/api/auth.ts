import { sameSecret } from '../shared/secrets.js';

/**
 * The dashboard can retry and delete jobs, so it sits behind a token. Scripts send `Authorization: Bearer
 * <token>`; browsers get a Basic-auth prompt (any user name, the token as password).
 */
export function isAuthorized(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  let presented: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') presented = value;
  else if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    presented = colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  if (!presented) return false;
  return sameSecret(presented, token);
}
