// hz-test-peer, the GStreamer participant, as seen from the test: its JSON
// event lines collected, waited for and summarized.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Child } from './processes.mjs';

export class TestPeer {
  // OPTIONS: {relayUrl, sessionId, token, durationSeconds, reconnect}.
  // With RECONNECT the peer joins again after a drop (--reconnect).
  constructor(path, dir, options) {
    // The token goes in a file, so that it is not in the process list.
    const tokenFile = join(dir, 'test-peer.token');
    writeFileSync(tokenFile, options.token, { mode: 0o600 });
    const args = ['--relay', options.relayUrl, '--session', String(options.sessionId),
      '--token-file', tokenFile];
    if (options.durationSeconds)
      args.push('--duration', String(options.durationSeconds));
    if (options.reconnect)
      args.push('--reconnect');
    this.child = new Child('hz-test-peer', path, args, join(dir, 'test-peer.log'));
    this.events = [];
    this.listeners = new Set();
    this.ended = false;
    this.pump();
  }

  async pump() {
    for (;;) {
      let line;
      try {
        line = await this.child.nextLine(3600 * 1000);
      } catch {
        line = null;
      }
      if (line === null)
        break;
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      this.events.push(event);
      for (const listener of [...this.listeners])
        listener();
    }
    this.ended = true;
    for (const listener of [...this.listeners])
      listener();
  }

  // Resolves to the first event for which PREDICATE(event) is true, looking
  // at events already received too. Rejects on an `error` event, at the end
  // of the output, or after TIMEOUT_MS; EXPECTED names the event in the error.
  waitFor(predicate, timeoutMs, expected) {
    return new Promise((resolve, reject) => {
      const finish = (callback, value) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        callback(value);
      };
      const check = () => {
        const found = this.events.find(predicate);
        if (found)
          return finish(resolve, found);
        const error = this.events.find((event) => event.event === 'error');
        if (error)
          return finish(reject, new Error(`hz-test-peer reported relay error ${error.code}: ${error.message} (while waiting for ${expected})`));
        if (this.ended)
          return finish(reject, new Error(`hz-test-peer ended (${this.child.describeExit()}) before ${expected}; log: ${this.child.logPath}`));
        return undefined;
      };
      const timer = setTimeout(() => finish(reject, new Error(
        `hz-test-peer: timed out after ${timeoutMs} ms waiting for ${expected}; last events: ` +
        JSON.stringify(this.events.slice(-3)))), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  // The latest `stats` event about FROM, or undefined.
  latestStats(from) {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const event = this.events[i];
      if (event.event === 'stats' && String(event.from) === from)
        return event;
    }
    return undefined;
  }

  // Stops the peer with SIGTERM and resolves to its `summary` event and the
  // exit status.
  async stop() {
    const exit = await this.child.stop(10000);
    // The last lines may still be in the pipe when the process has exited.
    for (let waited = 0; !this.ended && waited < 5000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const summary = this.events.find((event) => event.event === 'summary');
    return { summary, exit };
  }
}
