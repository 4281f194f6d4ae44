// Opens the camera and microphone, falling back to whatever of the two works.

// 640x480 keeps the uplink small enough for slow county hospital links.
const VIDEO_CONSTRAINTS = {
  width: { ideal: 640 },
  height: { ideal: 480 },
  frameRate: { ideal: 30, max: 30 },
};
const AUDIO_CONSTRAINTS = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

// Maps a getUserMedia error to a 'reason.*' key of the catalogue.
export function reasonKey(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'reason.denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'reason.not_found';
    case 'NotReadableError':
    case 'AbortError':
      return 'reason.busy';
    default:
      return 'reason.other';
  }
}

async function tryOpen(constraints) {
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints), error: null };
  } catch (error) {
    return { stream: null, error };
  }
}

// Resolves to {stream, hasAudio, hasVideo, cameraError, microphoneError}.
// STREAM is null when neither device opens; the error members hold the
// getUserMedia errors of the devices that are missing from STREAM.
export async function openLocalMedia() {
  const both = await tryOpen({ audio: AUDIO_CONSTRAINTS, video: VIDEO_CONSTRAINTS });
  if (both.stream)
    return describe(both.stream, null, null);

  const audioOnly = await tryOpen({ audio: AUDIO_CONSTRAINTS });
  if (audioOnly.stream) {
    // Asking for the camera alone yields its own error; the combined
    // request may have failed for either device. Should the camera open
    // this time, its track joins the audio.
    const videoOnly = await tryOpen({ video: VIDEO_CONSTRAINTS });
    for (const track of videoOnly.stream?.getVideoTracks() ?? [])
      audioOnly.stream.addTrack(track);
    return describe(audioOnly.stream, videoOnly.error, null);
  }

  const videoOnly = await tryOpen({ video: VIDEO_CONSTRAINTS });
  if (videoOnly.stream)
    return describe(videoOnly.stream, null, audioOnly.error);
  return { stream: null, hasAudio: false, hasVideo: false,
    cameraError: videoOnly.error, microphoneError: audioOnly.error };
}

function describe(stream, cameraError, microphoneError) {
  return {
    stream,
    hasAudio: stream.getAudioTracks().length > 0,
    hasVideo: stream.getVideoTracks().length > 0,
    cameraError,
    microphoneError,
  };
}

// Resolves to {track, error}: a new track of KIND ('audio' or 'video') from
// the device DEVICE_ID, with the constraints of openLocalMedia(), or the
// getUserMedia error.
export async function openDevice(kind, deviceId) {
  const base = kind === 'video' ? VIDEO_CONSTRAINTS : AUDIO_CONSTRAINTS;
  const { stream, error } = await tryOpen({ [kind]: { ...base, deviceId: { exact: deviceId } } });
  return { track: stream ? stream.getTracks()[0] : null, error };
}

export function stopLocalMedia(stream) {
  for (const track of stream?.getTracks() ?? [])
    track.stop();
}
