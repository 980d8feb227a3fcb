/** What boilerplate says, as anchored patterns on short blocks: labels, credits, teasers, calls to action, bylines and dates. */

// Phrases. Each list is anchored: it has to be (nearly) the whole of a short block. The common European
// languages are covered alongside English: the same templates ship in every language.
export const LABELS = [
  'advertisement|advertising|advert|anzeige|werbung|publicidad|publicité|pubblicità|publicidade|reklama',
  'sponsored(?: content)?|gesponsert|patrocinado',
  'continue reading(?: below)?|weiterlesen|seguir leyendo|lire la suite|continua a leggere|continue lendo',
  'skip to (?:main )?content|zum inhalt springen|back to top|top|zurück|back|volver|retour|indietro|voltar',
  'share(?: this(?: article| story| post| page)?)?(?: on \\w+)?|share:|teilen|artikel teilen|compartir|partager|condividi|compartilhar|udostępnij',
  'follow us|folgen sie uns|síguenos|suivez-nous|seguici|siga-nos',
  'sign in|log ?in|anmelden|einloggen|iniciar sesión|connexion|accedi|entrar',
  'subscribe(?: now)?|abonnieren|jetzt abonnieren|suscríbete|abonnez-vous|abbonati|assine|subskrybuj',
  'read more|read next|mehr lesen|leer más|lire plus|leggi di più|leia mais|czytaj więcej',
  'more:?|see more|see also|siehe auch|ver también|voir aussi|vedi anche|veja também|zobacz też',
  'related:?|related (?:articles|stories|posts|news|content|coverage|topics|links)|verwandte artikel|ähnliche artikel|artículos relacionados|articles similaires|articoli correlati|artigos relacionados',
  'you (?:may|might) also (?:like|be interested in)|das könnte sie auch interessieren|le puede interesar|te puede interesar|vous aimerez aussi|ti potrebbe interessare|você também pode gostar',
  'recommended(?: for you| stories)?|empfohlen|recomendado|recommandé|consigliati',
  'trending(?: now)?|most (?:popular|read|viewed)|popular stories|meistgelesen|am meisten gelesen|lo más leído|les plus lus|i più letti|mais lidas',
  "don'?t miss|nicht verpassen|no te pierdas|à ne pas manquer|da non perdere|não perca",
  'newsletters?|comments?|kommentare?|comentarios?|commentaires?|commenti|leave a (?:comment|reply)|schreibe einen kommentar|deja un comentario|laisser un commentaire',
  'tags?:?|topics?:?|schlagwörter:?|themen:?|etiquetas:?|mots-clés:?|filed under:?|permalink|permalien|print|drucken|imprimir|imprimer|stampa|email|e-mail',
  'sources?:|quellen:?|quellenangaben:?|fuentes:?|références:?|referências:?',
  'release date:?|veröffentlichung|erscheinungsdatum',
  'this (?:slideshow|video|content|page) requires javascript|(?:please )?enable javascript.{0,40}|javascript is (?:required|disabled).{0,40}',
  'click to enlarge|enlarge image|zum vergrößern.{0,40}|cliquez pour agrandir|haga clic para ampliar|clicca per ingrandire',
  'mehr themen|weitere themen|más temas|plus de sujets|altri argomenti',
  'tell us what you think|what do you think\\?|sagen sie uns ihre meinung|danos tu opinión|donnez votre avis',
  "breaking(?: news)?|eilmeldung|última hora|dernière minute|ultim'ora",
];
export const LABEL_ONLY = new RegExp(`^(?:${LABELS.join('|')})[\\s.…:!|»›-]*$`, 'i');

/**
 * Picture labels and credits ("Photo: …", "(Image: Getty)", "© Bild: …"). Inside a figure they are part of
 * the caption, which stays (as in Readability's output); standing alone in the text they are debris.
 */
export const CREDIT_LABELS = [
  'image|photo|foto|bild|getty images|image (?:copyright|caption|source)',
  '(?:source|quelle|fuente|fonte|crédito|crédit|credit|photo(?: credit)?|foto|fotos|bild|bilder|abbildung|image|images)\\s*: .{0,60}',
  '(?:photo|foto|image|picture|bild)s? (?:by|von|de|di|par) .{0,50}',
  '\\((?:image|photo|foto|bild|quelle|source|credit|fuente):? .{0,80}\\)',
  '©\\s*(?:bild|bilder|foto|fotos|photo|photos|image|images|picture|pictures|grafik)\\b.{0,60}',
];
export const CREDIT_ONLY = new RegExp(`^(?:${CREDIT_LABELS.join('|')})[\\s.…:!|»›-]*$`, 'i');

/** Short lines that start like a teaser for another story. */
export const TEASER_PREFIX = new RegExp(
  `^(?:${[
    "related|read more|read also|also read|see also|see more|more|more on this|watch|listen|don'?t miss|recommended|trending",
    'lesen sie auch|lesen sie mehr|mehr zum thema|mehr dazu|auch interessant|weitere informationen|weiterlesen|siehe auch',
    'lire aussi|à lire aussi|a lire aussi|voir aussi|lire également|à voir',
    'lea también|lee también|lea más|lee más|lea|le puede interesar|te puede interesar|ver también|ver más|relacionad[oa]s?',
    'leia também|leia mais|veja também|saiba mais',
    'leggi anche|leggi anche:|vedi anche|potrebbe interessarti',
    'czytaj także|czytaj też|zobacz też|zobacz także|lees ook|bekijk ook',
  ].join('|')})(?:\\s+[^\\s:|»›>]+){0,4}\\s*[:|»›>]`,
  'i',
);

export const CALL_TO_ACTION = new RegExp(
  `\\b(?:${[
    'subscribe (?:now )?to (?:our|the)|sign up (?:for|to)|sign up now|newsletters?\\b.{0,40}\\b(?:inbox|sign|subscribe)',
    'get (?:the latest|our) .{0,60}(?:inbox|newsletter)|download (?:the|our) .{0,30}apps?\\b',
    'follow (?:us|him|her|them|me)\\b.{0,30}\\bon|follow .{1,40} on (?:twitter|facebook|instagram|linkedin|youtube|tiktok)',
    'like us on facebook|join (?:our|the) .{0,40}(?:forum|community|newsletter|channel)|have a (?:news )?tip\\b',
    'this website uses cookies|we use cookies|all rights reserved|alle rechte vorbehalten|todos los derechos reservados|tous droits réservés|tutti i diritti riservati',
    'this (?:post|article|page) (?:may )?contains? affiliate|may (?:earn|receive) (?:a )?(?:commission|compensation)|advertising disclosure',
    'click here to (?:subscribe|sign up|get|download|read)|is subject to copyright|reproduced without (?:the )?(?:written )?permission',
    'for (?:reprint|licensing) (?:rights|information)|(?:must|need to) be logged in|logged in to (?:post|comment)',
    'newsletter abonnieren|jetzt (?:abonnieren|registrieren|anmelden)|artikel .{0,20}(?:teilen|empfehlen)|war (?:der|dieser) artikel (?:hilfreich|nützlich)|eingeloggt sein|nicht eingeloggt|not logged in|ohne gewähr',
    'gibt (?:nur )?die meinung de[sr] autor(?:s|in) wieder|(?:opinions?|views) expressed .{0,60}(?:are|is) (?:those|solely|the author)',
    'suscríbete|únete (?:a|al) nuestro|hazte (?:miembro|socio)|síguenos en|descarga (?:la|nuestra) app',
    '(?:channel|canal|kanal|chaîne|grupo|group|gruppe)\\b.{0,20}\\b(?:telegram|whatsapp)|(?:telegram|whatsapp)[- ]?(?:channel|kanal|canal|grupo|group|gruppe)',
    "abonnez-vous|inscrivez-vous à (?:notre|la) newsletter|suivez-nous sur|téléchargez (?:notre|l'application)",
    'iscriviti alla newsletter|seguici su|assine (?:a|nossa) newsletter|siga-nos',
    'retrieved .{0,40} from https?://|\\d+ issues for [£$€]|delivered (?:to|through) your (?:door|letterbox|inbox)',
    'for as little as [£$€₹]|use (?:the )?(?:promo |coupon |discount )?code "?[A-Z0-9]{4,}',
  ].join('|')})`,
  'i',
);

/** Agencies and picture libraries: a short line ending in one is a picture credit. */
export const PICTURE_CREDIT =
  /(?:getty images|getty|shutterstock|istock(?:photo)?(?:\.com)?|reuters|afp|dpa|epa|ap photo|associated press|wenn\.com|imago(?: images)?|picture[- ]alliance|unsplash|pixabay|adobe stock|alamy|keystone|ansa|efe)\s*\)?\s*$/i;

export const BYLINE_DATE_START =
  /^(?:by|von|por|par|di|door|av|written by|posted|published|updated|last updated|posted on|published on|updated on|veröffentlicht|veröffentlichung|aktualisiert|stand(?:\s*:|\s+vom)|gepubliceerd|bijgewerkt|atualizado|opublikowano|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|publication|release date|(?:auteur|autor|autore|author|autorin)\s*:)/i;

export const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|januari|februari|maart|mei|augustus|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|maret|agustus|desember';
export const DATE_LIKE = new RegExp(
  `\\b(?:\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2}|(?:${MONTHS})\\.?\\s+\\d{1,2}|\\d{1,2}\\.?\\s+(?:de\\s+)?(?:${MONTHS})|\\d{1,2}:\\d{2}\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)?|\\d+\\s+(?:minutes?|hours?|days?)\\s+ago)\\b`,
  'i',
);

export const AUTHOR_BIO =
  /^\p{Lu}[\p{L}'’.-]+(?: \p{Lu}[\p{L}'’.-]+){0,3} (?:is|was) (?:a|an|the) .{0,200}?\b(?:writer|reporter|journalist|editor|correspondent|contributor|blogger|author|photographer|columnist|producer|freelancer|native)\b/u;

export const TAIL_HEADING =
  /^(?:related(?: articles| stories| posts| news| content| coverage| reading)?|you (?:may|might) also (?:like|enjoy|be interested in)|more (?:from|stories|news|on this|in|like this)\b.{0,40}|recommended(?: for you| stories| reading)?|read (?:more|next)|most (?:popular|read|viewed)|popular (?:posts|stories)|trending(?: now| stories)?|about the authors?|(?:leave a |post a )?(?:comments?|reply|responses?)|share(?: this)?(?: article| story| post)?:?|tags?:?|topics?:?|sign up .{0,60}|subscribe .{0,60}|newsletter|weitere artikel|mehr zum thema|das könnte sie auch interessieren|à lire aussi|sur le même sujet|noticias relacionadas|te puede interesar|articoli correlati|leggi anche)[\s.…:!|»›-]*$/i;

/**
 * Whether a short block's text says what boilerplate says (a label, a picture credit, a call to action, a
 * byline or date line, a teaser, an author bio), whatever its position: for text found outside the content.
 */
export function readsLikeBoilerplate(t: string): boolean {
  const words = t.split(' ').length;
  return (
    (words <= 12 && (LABEL_ONLY.test(t) || CREDIT_ONLY.test(t))) ||
    (words <= 8 && PICTURE_CREDIT.test(t)) ||
    (words <= 25 && TEASER_PREFIX.test(t)) ||
    (words <= 25 && BYLINE_DATE_START.test(t)) ||
    (words <= 20 && DATE_LIKE.test(t)) ||
    // "Site | 04.05.2015 • Updated … | By …": a meta line strung together with separators.
    (t.match(/\s[|•·]\s/g) ?? []).length >= 2 ||
    CALL_TO_ACTION.test(t) ||
    AUTHOR_BIO.test(t) ||
    /^(?:©|\(c\)|copyright\b)/i.test(t)
  );
}

export function isBylineOrDate(t: string): boolean {
  if (BYLINE_DATE_START.test(t) && (DATE_LIKE.test(t) || t.split(' ').length <= 6)) return true;
  if (!DATE_LIKE.test(t)) return false;
  // Mostly a date: once dates, times, weekdays and labels are taken out, few words remain.
  const rest = t
    .replace(new RegExp(`\\b(?:${MONTHS})\\.?`, 'gi'), ' ')
    .replace(
      /\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|\b(?:am|pm|a\.m\.|p\.m\.|est|edt|cst|cdt|pst|pdt|gmt|utc|bst|cet|cest|ist)\b/gi,
      ' ',
    )
    .replace(/\b(?:updated|posted|published|last|on|at|by|and|ago|minutes?|hours?|days?)\b/gi, ' ')
    .replace(/[\d\s:;,./|()–—-]+/g, ' ')
    .trim();
  return rest.split(/\s+/).filter(w => w.length > 1).length <= 2;
}
