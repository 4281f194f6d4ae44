// Child processes of the browser test: started with their output in log
// files, read line by line with timeouts, and killed by PID on every exit
// path, including an uncaught exception or a signal to the test itself.

import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const children = new Set();

function killAllNow() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  children.clear();
}

// 'exit' handlers must be synchronous, so this one only sends SIGKILL.
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAllNow();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

// A started program. Its stdout lines are queued for nextLine() and copied,
// with stderr, to LOG_PATH.
export class Child {
  constructor(name, command, args, logPath) {
    this.name = name;
    this.logPath = logPath;
    this.lines = [];
    this.waiters = [];
    this.closed = false;

    const log = createWriteStream(logPath);
    this.process = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.process);
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        children.delete(this.process);
        resolve({ code, signal });
      });
    });
    this.process.on('error', (error) => {
      log.write(`spawn failed: ${error.message}\n`);
      this.closeLines();
    });
    this.process.stderr.pipe(log);

    const reader = createInterface({ input: this.process.stdout });
    reader.on('line', (line) => {
      log.write(`stdout: ${line}\n`);
      const waiter = this.waiters.shift();
      if (waiter)
        waiter.resolve(line);
      else
        this.lines.push(line);
    });
    reader.on('close', () => this.closeLines());
  }

  get pid() {
    return this.process.pid;
  }

  closeLines() {
    this.closed = true;
    for (const waiter of this.waiters.splice(0))
      waiter.resolve(null);
  }

  // Resolves to the next stdout line, or null at end of output; rejects
  // after TIMEOUT_MS.
  nextLine(timeoutMs) {
    if (this.lines.length > 0)
      return Promise.resolve(this.lines.shift());
    if (this.closed)
      return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${this.name} printed no line within ${timeoutMs} ms (log: ${this.logPath})`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  // Reads lines until PREDICATE(line) returns a value other than undefined
  // and resolves to that value. Rejects when the output ends or TIMEOUT_MS
  // passes first; EXPECTED names the expected line in the error.
  async waitForLine(predicate, timeoutMs, expected) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${expected} (log: ${this.logPath})`);
      let line;
      try {
        line = await this.nextLine(left);
      } catch {
        throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${expected} (log: ${this.logPath})`);
      }
      if (line === null)
        throw new Error(`${this.name} ended its output before ${expected}; ${this.describeExit()} (log: ${this.logPath})`);
      const value = predicate(line);
      if (value !== undefined)
        return value;
    }
  }

  describeExit() {
    const { exitCode, signalCode } = this.process;
    if (exitCode === null && signalCode === null)
      return 'still running';
    return signalCode ? `killed by ${signalCode}` : `exit status ${exitCode}`;
  }

  // Sends SIGTERM and waits up to GRACE_MS, then SIGKILL. Resolves to the
  // exit {code, signal}.
  async stop(graceMs = 5000) {
    if (this.process.exitCode !== null || this.process.signalCode !== null)
      return this.exited;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  // The last LINES lines of the log, for failure messages.
  logTail(lines = 30) {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

// Runs COMMAND to completion within TIMEOUT_MS; resolves to {code, stdout,
// stderr}. Rejects when the command cannot start or runs too long.
export function run(command, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => { stdout += data; });
    child.stderr.on('data', (data) => { stderr += data; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`${command} failed to start: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}
