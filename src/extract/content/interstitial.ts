/**
 * Pages that stand between a reader and the article: anti-bot challenges, consent walls, login walls.
 * They must not be stored as the article (their text is the wall's). Each kind needs a specific marker
 * (a header, a title, a form) AND a thin page: a real article that merely carries a cookie banner or a
 * login link is not a wall.
 */
import type { InterstitialKind } from '../types.js';

export type { InterstitialKind };

export interface Interstitial {
  kind: InterstitialKind;
  evidence: string;
}

export interface InterstitialContext {
  url: string;
  /** The raw page (before pre-stripping): challenge markers live in scripts. */
  rawHtml: string;
  cfMitigated?: string | undefined;
  /** Words of text in the page body (counted by the caller, who needs the figure too). */
  bodyWords: number;
}

const CHALLENGE_TITLE =
  /^(?:just a moment|attention required|access denied|access to this page has been denied|please wait|checking your browser|ddos-guard|are you a (?:robot|human)|pardon our interruption|security check|verify you are (?:a )?human|human verification|one more step|bot verification|request unsuccessful|you have been blocked|captcha)\b/i;

const CHALLENGE_MARKUP =
  /cf-browser-verification|\/cdn-cgi\/challenge-platform\/|cf_chl_opt|_Incapsula_Resource|px-captcha|captcha-delivery\.com|geo\.captcha-delivery|perimeterx|__ddg|ddos-guard\.net|hcaptcha\.com\/1\/api|recaptcha\/api\.js/i;

const CONSENT_TITLE =
  /(?:\bcookies?\b.{0,40}\b(?:consent|choices|settings|preferences|policy)|\bconsent\b|before you continue|we value your privacy|your privacy (?:choices|settings)|privacy (?:settings|preferences|choices)|datenschutz(?:einstellungen|hinweis)|einwilligung|consentement|paramètres des cookies|configuración de cookies|preferenze (?:dei )?cookie)/i;

const CONSENT_HOST = /^(?:consent|guce|privacy|cmp)\./i;

const LOGIN_TITLE =
  /^(?:sign in|sign-in|log ?in|login|members? (?:login|only)|subscriber login|anmelden|einloggen|connexion|se connecter|iniciar sesi[oó]n|acceder|accedi|entrar)\b/i;

const LOGIN_PATH = /\/(?:login|log-in|signin|sign-in|sso|auth|account\/login)(?:[/?#.]|$)/i;

function robotsNoindex(doc: Document): boolean {
  for (const m of Array.from(doc.querySelectorAll('meta[name]'))) {
    const name = (m.getAttribute('name') ?? '').toLowerCase();
    if ((name === 'robots' || name === 'googlebot') && /noindex/i.test(m.getAttribute('content') ?? '')) {
      return true;
    }
  }
  return false;
}

export function detectInterstitial(doc: Document, ctx: InterstitialContext): Interstitial | null {
  if (ctx.cfMitigated && /challenge/i.test(ctx.cfMitigated)) {
    return { kind: 'bot-challenge', evidence: `cf-mitigated: ${ctx.cfMitigated}` };
  }
  const title = (doc.title || '').replace(/\s+/g, ' ').trim();
  const words = ctx.bodyWords;
  const thin = words < 250;
  if (!thin) return null;

  if (CHALLENGE_TITLE.test(title)) return { kind: 'bot-challenge', evidence: `title: ${title}` };
  const marker = CHALLENGE_MARKUP.exec(ctx.rawHtml.slice(0, 200_000));
  if (marker && words < 120) return { kind: 'bot-challenge', evidence: `markup: ${marker[0]}` };

  let host = '';
  let path = '';
  try {
    const u = new URL(ctx.url);
    host = u.hostname;
    path = u.pathname;
  } catch {
    // An unparseable URL only loses the URL-based signals.
  }
  const noindex = robotsNoindex(doc);
  if (CONSENT_TITLE.test(title) && (noindex || words < 150)) {
    return { kind: 'consent-wall', evidence: `title: ${title}${noindex ? ' (robots noindex)' : ''}` };
  }
  if (CONSENT_HOST.test(host)) return { kind: 'consent-wall', evidence: `host: ${host}` };

  const password = doc.querySelector('input[type="password"]') !== null;
  if ((LOGIN_TITLE.test(title) || LOGIN_PATH.test(path)) && (password || noindex)) {
    return { kind: 'login-wall', evidence: LOGIN_TITLE.test(title) ? `title: ${title}` : `path: ${path}` };
  }
  return null;
}
