// Camera and microphone selection of the join page: one <select> per
// kind, filled from enumerateDevices(). The page switches devices by
// replacing the track that its publish connection sends, so a switch needs
// no new offer.

import { setText } from './i18n.js';

const KINDS = ['video', 'audio'];
const UNNAMED_KEYS = { video: 'device.unnamed_camera', audio: 'device.unnamed_microphone' };

export class DevicePicker {
  // FIELDS: {video: {field, select}, audio: {field, select}}.
  // ON_SELECT(kind, deviceId) switches to the chosen device and resolves
  // when it is done, whether it worked or not.
  constructor(fields, onSelect) {
    this.fields = fields;
    this.onSelect = onSelect;
    this.stream = null;
    for (const kind of KINDS) {
      const { select } = fields[kind];
      select.addEventListener('change', async () => {
        select.disabled = true;
        try {
          await this.onSelect(kind, select.value);
        } finally {
          select.disabled = false;
          await this.refresh(this.stream);
        }
      });
    }
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.refresh(this.stream));
  }

  // Lists the devices of each kind that STREAM has a track of and selects
  // the one that the track comes from. A kind with fewer than two devices,
  // or without a track in STREAM, has nothing to choose and stays hidden.
  async refresh(stream) {
    this.stream = stream;
    let devices = [];
    if (stream && navigator.mediaDevices?.enumerateDevices) {
      try {
        devices = await navigator.mediaDevices.enumerateDevices();
      } catch (error) {
        console.warn('huizhen: listing cameras and microphones failed', error);
      }
    }
    for (const kind of KINDS) {
      const { field, select } = this.fields[kind];
      const track = stream?.getTracks().find((candidate) => candidate.kind === kind);
      const inputs = devices.filter((device) => device.kind === `${kind}input` && device.deviceId);
      field.hidden = !track || inputs.length < 2;
      if (field.hidden) {
        select.replaceChildren();
        continue;
      }
      const current = track.getSettings().deviceId;
      select.replaceChildren(...inputs.map((device, index) => {
        const option = document.createElement('option');
        option.value = device.deviceId;
        // Labels are the browser's names of the devices, shown as they
        // are. A device without one gets a numbered name.
        if (device.label)
          option.textContent = device.label;
        else
          setText(option, UNNAMED_KEYS[kind], { number: index + 1 });
        option.selected = device.deviceId === current;
        return option;
      }));
    }
  }

  hide() {
    this.stream = null;
    for (const kind of KINDS) {
      this.fields[kind].field.hidden = true;
      this.fields[kind].select.replaceChildren();
    }
  }
}
