/** A document that is not a feed we can read; the message is the one-line reason recorded with the feed. */
export class FeedParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedParseError';
  }
}
