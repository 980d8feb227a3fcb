/** Worker-thread side of the feed parse pool (pool.ts): one document per message, parsed by `parseFeed`. */
import { serveTasks } from '../../shared/thread-pool-worker.js';
import { FeedParseError } from './errors.js';
import { parseFeed } from './parse.js';

export interface ParseTask {
  text: string;
  baseUrl?: string;
  contentType?: string;
}

serveTasks(
  (task: ParseTask) => parseFeed(task.text, { baseUrl: task.baseUrl, contentType: task.contentType }),
  err => (err instanceof FeedParseError ? 'feed-parse' : 'parse-error'),
);
