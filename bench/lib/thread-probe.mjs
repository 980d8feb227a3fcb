// Preloaded into an extractor process by the bench (NODE_OPTIONS=--import …) to tell which OS threads are
// extraction threads: every worker thread the process starts appends its kernel thread id to
// $BENCH_THREAD_PROBE. Node 20 names all its threads "node" and has no per-thread CPU clock in JS
// (process.threadCpuUsage came in 23.9), so the bench reads /proc/<pid>/task/<tid>/stat for these ids.
// Reading /proc/thread-self from the thread itself is the only way to learn its id. Observes, changes nothing.
import { appendFileSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.BENCH_THREAD_PROBE;
if (file && !isMainThread) {
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, tid, threadId, t: Date.now() })}\n`);
  } catch {
    // no /proc: the bench falls back to its subtraction estimate
  }
}
