// When the join page tries again after losing the relay: at once, then
// after delays that double up to MAX_DELAY_MS, until GIVE_UP_MS have passed
// since the connection was lost. The relay keeps a dropped participant for
// its reconnect-grace (20 s by default), and a join after that still works
// as a new join for as long as the token is valid.

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 8000;
// The message 'error.reconnect_failed' names this time: two minutes.
const GIVE_UP_MS = 120000;

export class ReconnectSchedule {
  constructor() {
    this.reset();
  }

  reset() {
    this.startedAt = null;
    this.attempts = 0;
    this.timer = null;
  }

  // Starts counting from now.
  begin() {
    this.cancel();
    this.startedAt = Date.now();
    this.attempts = 0;
  }

  // Runs ATTEMPT after the next delay, or returns false without running it
  // when GIVE_UP_MS have passed.
  schedule(attempt) {
    clearTimeout(this.timer);
    if (Date.now() - this.startedAt >= GIVE_UP_MS)
      return false;
    const delay = this.attempts === 0 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.attempts - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempts += 1;
      attempt(this.attempts);
    }, delay);
    return true;
  }

  cancel() {
    clearTimeout(this.timer);
    this.reset();
  }
}
