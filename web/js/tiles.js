// The video tiles of the join page: one for the local preview and one per
// remote participant, each with the participant's name underneath.

import { setText } from './i18n.js';

const LOCAL_ID = 'local';

function createTile(id) {
  const figure = document.createElement('figure');
  figure.className = 'tile';
  figure.dataset.participantId = id;

  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;

  const placeholder = document.createElement('p');
  placeholder.className = 'tile-placeholder';
  setText(placeholder, 'join.no_video_yet');

  const caption = document.createElement('figcaption');
  const name = document.createElement('span');
  name.className = 'tile-name';
  const tag = document.createElement('span');
  tag.className = 'tile-tag';
  tag.hidden = true;
  setText(tag, 'join.audio_only_tag');
  caption.append(name, tag);

  const unmute = document.createElement('button');
  unmute.type = 'button';
  unmute.className = 'tile-unmute';
  unmute.hidden = true;

  figure.append(video, placeholder, caption, unmute);
  return { figure, video, placeholder, name, tag, unmute };
}

// Shows the placeholder until VIDEO renders a frame; an audio-only stream
// keeps it.
function watchForPicture(tile) {
  const update = () => {
    const hasPicture = tile.video.videoWidth > 0 && tile.video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA;
    tile.placeholder.hidden = hasPicture;
    tile.figure.classList.toggle('has-video', hasPicture);
  };
  for (const type of ['loadeddata', 'playing', 'resize', 'emptied'])
    tile.video.addEventListener(type, update);
  update();
}

export class TileGrid {
  constructor(container) {
    this.container = container;
    this.tiles = new Map();
  }

  // Shows STREAM muted and mirrored, as people expect of their own preview.
  showLocal(stream, audioOnly) {
    let tile = this.tiles.get(LOCAL_ID);
    if (!tile) {
      tile = createTile(LOCAL_ID);
      tile.figure.classList.add('local');
      tile.video.muted = true;
      setText(tile.name, 'join.you');
      watchForPicture(tile);
      this.tiles.set(LOCAL_ID, tile);
      this.container.prepend(tile.figure);
    }
    tile.tag.hidden = !audioOnly;
    setText(tile.placeholder, audioOnly ? 'join.no_camera' : 'join.no_video_yet');
    tile.video.srcObject = stream;
  }

  setLocalName(name) {
    const tile = this.tiles.get(LOCAL_ID);
    if (tile && name)
      setText(tile.name, 'join.you_named', { name });
  }

  // Returns the tile of remote participant ID, creating it with NAME.
  ensureRemote(id, name) {
    let tile = this.tiles.get(id);
    if (!tile) {
      tile = createTile(id);
      watchForPicture(tile);
      tile.unmute.addEventListener('click', () => this.enableSound(tile));
      this.tiles.set(id, tile);
      this.container.append(tile.figure);
    }
    if (name) {
      // The name comes from the relay and is shown as it is, untranslated.
      tile.displayName = name;
      tile.name.textContent = name;
      setText(tile.unmute, 'join.unmute_playback', { name }, 'join.unmute_playback_label');
    }
    return tile;
  }

  displayName(id) {
    return this.tiles.get(id)?.displayName || id;
  }

  // Tags the tile of ID as audio only, or removes the tag.
  setAudioOnly(id, audioOnly) {
    this.ensureRemote(id, null).tag.hidden = !audioOnly;
  }

  // Adds TRACK to what the tile of ID plays, replacing an earlier track of
  // the same kind. Each track arrives in its own `track` event, and the relay's
  // offer need not group them in one stream, so the tile builds its own.
  addRemoteTrack(id, track) {
    const tile = this.ensureRemote(id, null);
    const kept = (tile.video.srcObject?.getTracks() ?? [])
      .filter((other) => other.kind !== track.kind && other.readyState === 'live');
    tile.video.srcObject = new MediaStream([...kept, track]);
    this.play(tile, id);
  }

  // When the browser blocks playback with sound before a click on the page,
  // the video plays muted and the tile offers a button that turns the sound on.
  play(tile, id) {
    tile.video.play().catch((error) => {
      // AbortError: a newer srcObject replaced this one and plays instead.
      if (error.name === 'AbortError')
        return;
      if (error.name !== 'NotAllowedError') {
        console.warn(`huizhen: playback of participant ${id} failed`, error);
        return;
      }
      tile.video.muted = true;
      tile.unmute.hidden = false;
      tile.video.play().catch((mutedError) =>
        console.warn(`huizhen: muted playback of participant ${id} failed`, mutedError));
    });
  }

  enableSound(tile) {
    tile.video.muted = false;
    tile.video.play().then(() => {
      tile.unmute.hidden = true;
    }).catch((error) => console.warn('huizhen: playback with sound is still blocked', error));
  }

  remove(id) {
    const tile = this.tiles.get(id);
    if (!tile)
      return;
    tile.video.srcObject = null;
    tile.figure.remove();
    this.tiles.delete(id);
  }

  removeRemotes() {
    for (const id of [...this.tiles.keys()]) {
      if (id !== LOCAL_ID)
        this.remove(id);
    }
  }

  removeLocal() {
    this.remove(LOCAL_ID);
  }

  clear() {
    for (const id of [...this.tiles.keys()])
      this.remove(id);
  }

  remoteIds() {
    return [...this.tiles.keys()].filter((id) => id !== LOCAL_ID);
  }

  // Whether the tile of ID plays a live audio track with sound on.
  playsAudio(id) {
    const video = this.tiles.get(id)?.video;
    const tracks = video?.srcObject?.getAudioTracks() ?? [];
    return Boolean(video && !video.muted && tracks.some((track) => track.readyState === 'live'));
  }

  // Whether the tile of ID is playing a picture right now.
  isPlaying(id) {
    const video = this.tiles.get(id)?.video;
    return Boolean(video && !video.paused && !video.ended && video.videoWidth > 0 &&
      video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA);
  }
}
