/**
 * The `newsflow` package entry: what a downstream program needs to read the stream.
 * `import { createConsumer } from 'newsflow'` — see docs/CONSUMING.md.
 */
export {
  createConsumer,
  CONSUMER_DEFAULTS,
  type Consumer,
  type ConsumerErrorInfo,
  type ConsumerMessage,
  type ConsumerOptions,
  type ConsumerStats,
  type DeadLetterFields,
  type MessageHandler,
} from './consumer/consumer.js';
export {
  decodeEvent,
  fieldsToRecord,
  InvalidEventError,
  STREAM_EVENT_TYPES,
  type KnownStreamEventType,
  type StreamEvent,
} from './consumer/events.js';
export type { ArticleView, StoryView } from './consumer/reader.js';
export type { StoryMemberView, StoryRecord, StoryRelation } from './dedupe/story.js';
export type { NormalizedArticle } from './dedupe/article.js';
export type { Attribution, AttributionMethod } from './extract/types.js';
