// The WebSocket to huizhen-relay: one JSON object per text frame, as
// docs/signalling.md describes.

// Close codes that follow an `error` message explaining them: after a token
// error, and when the same user joined on another socket.
export const CLOSE_TOKEN_REJECTED = 4001;
export const CLOSE_REPLACED = 4002;

const CONNECT_TIMEOUT_MS = 15000;

export class RelayConnection {
  // HANDLERS: onMessage(message), onClose({code, reason, wasClean}).
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
  }

  // Resolves once the socket is open; rejects when it fails to open or
  // CONNECT_TIMEOUT_MS passes first.
  open() {
    return new Promise((resolve, reject) => {
      let settled = false;
      const socket = new WebSocket(this.url);
      this.socket = socket;

      const timer = setTimeout(() => {
        if (settled)
          return;
        settled = true;
        socket.close();
        reject(new Error(`WebSocket to the relay timed out after ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);

      socket.addEventListener('open', () => {
        if (settled)
          return;
        settled = true;
        clearTimeout(timer);
        resolve();
      });
      socket.addEventListener('message', (event) => this.receive(event));
      socket.addEventListener('close', (event) => {
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          reject(new Error(`WebSocket to the relay closed before opening (code ${event.code})`));
          return;
        }
        if (this.socket === socket)
          this.handlers.onClose({ code: event.code, reason: event.reason, wasClean: event.wasClean });
      });
    });
  }

  receive(event) {
    if (typeof event.data !== 'string') {
      console.warn('huizhen: ignoring a binary frame from the relay');
      return;
    }
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      console.warn('huizhen: ignoring a frame from the relay that is not JSON', error);
      return;
    }
    if (message === null || typeof message !== 'object' || typeof message.type !== 'string') {
      console.warn('huizhen: ignoring a relay message without a type');
      return;
    }
    this.handlers.onMessage(message);
  }

  // Sends MESSAGE as JSON; returns false when the socket is not open.
  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN)
      return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  // Stops reporting messages and the close of the socket but leaves it
  // open. A join on a new socket then resumes this participant on the
  // relay, which closes this socket itself (docs/signalling.md,
  // "Reconnecting").
  detach() {
    this.handlers = { onMessage: () => {}, onClose: () => {} };
  }

  // Closes the socket without reporting it through onClose.
  close() {
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN)
      socket.close(1000);
  }
}
