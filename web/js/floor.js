// Floor control in teaching rounds (docs/signalling.md, "Teaching rounds"):
// a viewer raises its hand, a presenter grants or revokes the floor, and a
// viewer with the floor publishes its microphone, and its camera too when
// the grant includes video.
//
// The viewer's side is one button: 举手发言, then 放下手, then, with the
// floor, 结束发言. The presenter's side is a list of the raised hands,
// each with a button that grants the floor (audio only) or takes it back.

import { setText } from './i18n.js';

export class FloorControl {
  // ELEMENTS: {button, panel, list}. ACTIONS: send(message),
  // startPublishing(video), stopPublishing(), nameOf(participantId).
  constructor(elements, actions) {
    this.elements = elements;
    this.actions = actions;
    this.role = null;
    this.participantId = null;
    this.state = 'idle';            // the viewer's: idle, raised, granted
    this.hands = new Map();         // participant id -> {item, button, granted}
    elements.button.addEventListener('click', () => this.onButton());
  }

  // Called on every join, also a rejoin. The page then starts over: a hand
  // raised or a floor held before the rejoin must be asked for again.
  setRole(role, participantId) {
    this.role = role;
    this.participantId = participantId;
    this.clear();
    this.elements.button.hidden = role !== 'view';
    this.showButton();
  }

  clear() {
    if (this.state === 'granted')
      this.actions.stopPublishing();
    this.state = 'idle';
    this.hands.clear();
    this.elements.list.replaceChildren();
    this.elements.panel.hidden = true;
  }

  describe() {
    return { state: this.state, hands: [...this.hands.keys()] };
  }

  showButton() {
    const key = { idle: 'floor.raise', raised: 'floor.lower', granted: 'floor.give_back' }[this.state];
    setText(this.elements.button, key);
    this.elements.button.classList.toggle('active', this.state !== 'idle');
    this.elements.button.setAttribute('aria-pressed', String(this.state !== 'idle'));
  }

  onButton() {
    if (this.role !== 'view')
      return;
    if (this.state === 'idle') {
      this.actions.send({ type: 'raise-hand' });
      this.state = 'raised';
    } else {
      // With the floor, lower-hand gives it back; the relay's
      // floor-revoked then stops the publishing.
      this.actions.send({ type: 'lower-hand' });
      if (this.state === 'raised')
        this.state = 'idle';
    }
    this.showButton();
  }

  // Returns true when MESSAGE was one of floor control's.
  handle(message) {
    const id = message.participant_id !== undefined ? String(message.participant_id) : null;
    switch (message.type) {
      case 'hand-raised':
        this.addHand(id, message.name);
        return true;
      case 'hand-lowered':
        if (!this.hands.get(id)?.granted)
          this.removeHand(id);
        return true;
      case 'floor-granted':
        if (id === this.participantId) {
          this.state = 'granted';
          this.showButton();
          this.actions.startPublishing(message.video === true);
        } else {
          // The relay lowers the hand as it grants, so the entry may be gone.
          if (!this.hands.has(id))
            this.addHand(id, this.actions.nameOf(id));
          this.markGranted(id, true);
        }
        return true;
      case 'floor-revoked':
        if (id === this.participantId) {
          if (this.state === 'granted')
            this.actions.stopPublishing();
          this.state = 'idle';
          this.showButton();
        } else {
          this.removeHand(id);
        }
        return true;
      default:
        return false;
    }
  }

  addHand(id, name) {
    if (this.role !== 'publish' || this.hands.has(id))
      return;
    const button = document.createElement('button');
    button.type = 'button';
    const item = document.createElement('li');
    item.className = 'hand';
    item.dataset.participantId = id;
    const label = document.createElement('span');
    label.textContent = name || id;
    item.append(label, button);
    const hand = { item, button, name: name || id, granted: false };
    button.addEventListener('click', () => {
      this.actions.send(hand.granted ? { type: 'revoke', participant_id: id }
        : { type: 'grant', participant_id: id, video: false });
      button.disabled = true;
    });
    this.hands.set(id, hand);
    this.markGranted(id, false);
    this.elements.list.append(item);
    this.elements.panel.hidden = false;
  }

  markGranted(id, granted) {
    const hand = this.hands.get(id);
    if (!hand)
      return;
    hand.granted = granted;
    hand.item.classList.toggle('granted', granted);
    hand.button.disabled = false;
    setText(hand.button, granted ? 'floor.revoke' : 'floor.grant', { name: hand.name },
      granted ? 'floor.revoke_label' : 'floor.grant_label');
  }

  removeHand(id) {
    this.hands.get(id)?.item.remove();
    this.hands.delete(id);
    this.elements.panel.hidden = this.hands.size === 0;
  }
}
