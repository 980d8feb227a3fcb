/**
 * The stream contract, as code. docs/CONSUMING.md and docs/schema/stream-event.json say the same in prose and
 * JSON Schema; tests check all three agree with what the pipeline writes.
 *
 * Stream entries are flat field maps of strings (that is what Redis streams hold); `decodeEvent` turns one into
 * a typed event or says exactly which field is wrong.
 */

/** Event types this version of newsflow writes. Consumers should ignore types they do not know. */
export const STREAM_EVENT_TYPES = [
  'story.created',
  'story.member_added',
  'story.updated',
  'story.expired',
] as const;
export type KnownStreamEventType = (typeof STREAM_EVENT_TYPES)[number];

export interface StreamEvent {
  /** `story.created` | `story.member_added` | `story.updated` | `story.expired`, or a newer type this client does not know. */
  type: KnownStreamEventType | (string & {});
  storyId: string;
  /** The article the event is about; its body is at `<prefix>:article:<articleId>`. */
  articleId: string;
  url: string;
  /** Event schema version: a consumer may refuse versions it was not written for. */
  version: number;
  /** ISO 8601 time the event was written. */
  at: string;
  /** `story.expired` only: every member article id of the removed story (its body and members are gone). */
  members?: string[];
}

export const REQUIRED_EVENT_FIELDS = ['type', 'storyId', 'articleId', 'url', 'version', 'at'] as const;

/** A stream entry that is not an event of this contract; dead-lettered at once, retrying cannot fix it. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** Redis returns entry fields as a flat [field, value, field, value…] array. */
export function fieldsToRecord(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

export function decodeEvent(fields: Readonly<Record<string, string>>): StreamEvent {
  const missing = REQUIRED_EVENT_FIELDS.filter(f => !fields[f]);
  if (missing.length > 0) throw new InvalidEventError(`missing field(s): ${missing.join(', ')}`);
  const version = fields.version!;
  if (!/^[1-9]\d{0,5}$/.test(version)) {
    throw new InvalidEventError(`version must be a positive integer, got "${version}"`);
  }
  const at = fields.at!;
  if (Number.isNaN(Date.parse(at))) throw new InvalidEventError(`at is not a date: "${at}"`);
  return {
    type: fields.type!,
    storyId: fields.storyId!,
    articleId: fields.articleId!,
    url: fields.url!,
    version: Number(version),
    at,
    ...(fields.members !== undefined ? { members: decodeMembers(fields.members) } : {}),
  };
}

function decodeMembers(raw: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new InvalidEventError('members is not JSON');
  }
  if (!Array.isArray(v) || !v.every(x => typeof x === 'string')) {
    throw new InvalidEventError('members must be a JSON array of article ids');
  }
  return v;
}
