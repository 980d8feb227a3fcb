/**
 * Errors that mean something to the process running the pipeline, shared by every stage so none of them has to
 * import the CLI. The CLI maps them to exit statuses (0 done, 1 an input failed, 2 usage or setup, 3 a resource
 * budget reached); the service logs them.
 */

/** A resource the run may not exceed was reached (Redis memory, a time or size budget): exit status 3. */
export class ResourceBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceBudgetError';
  }
}

/** A setup problem (usage of a resource, unreadable config, unreachable Redis): one message, exit status 2. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}
