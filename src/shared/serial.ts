/**
 * Runs a task one at a time for a loop that can be poked from several places (a timer, a file watcher, an API
 * call): a poke during a run asks for one more run after it — any number of pokes make one — so the last poke
 * is always followed by a complete run and two runs never overlap. A failing run goes to `onError` and does not
 * stop later ones; once `stopped()` says so, no run starts.
 */
export interface SerialRunner {
  /** Starts a run, or asks the one in progress to run once more; resolves when the runs end. */
  poke(): Promise<void>;
  /** The runs in progress, or null when idle. */
  current(): Promise<void> | null;
}

export function serialRunner(
  task: () => Promise<void>,
  onError: (err: unknown) => void,
  stopped: () => boolean,
): SerialRunner {
  let running: Promise<void> | null = null;
  let again = false;
  return {
    poke() {
      if (stopped()) return Promise.resolve();
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          try {
            await task();
          } catch (err) {
            onError(err);
          }
        } while (again && !stopped());
      })().finally(() => {
        running = null;
      });
      return running;
    },
    current: () => running,
  };
}
