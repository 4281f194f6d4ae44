// Audio input for Chromium's fake microphone and checks of recorded files.

import { join } from 'node:path';

import { run } from './processes.mjs';

const TOOL_TIMEOUT_MS = 30000;

// The speech of the fake microphone: a county doctor presenting a patient.
const SPEECH_TEXT = '您好，我是双柏县人民医院的李医生。患者男性，六十一岁，胸闷三天，' +
  '心电图提示前壁导联ST段压低。请问专家，是否需要转上级医院做冠状动脉造影？';

async function runChecked(command, args) {
  const result = await run(command, args, TOOL_TIMEOUT_MS);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (exit status ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

// Speaks SPEECH_TEXT with espeak-ng into DIR and converts it with sox to a
// WAV of at least MIN_SECONDS (16-bit mono 48 kHz, which Chromium's
// --use-file-for-fake-audio-capture reads). Resolves to the file's path.
export async function makeSpeechWav(dir, minSeconds = 20) {
  const spoken = join(dir, 'speech-espeak.wav');
  const output = join(dir, 'speech.wav');
  await runChecked('espeak-ng', ['-v', 'zh', '-s', '150', '-w', spoken, SPEECH_TEXT]);

  const seconds = Number((await runChecked('soxi', ['-D', spoken])).trim());
  if (!(seconds > 0))
    throw new Error(`espeak-ng wrote an empty file: ${spoken}`);
  // sox's "repeat N" plays the input N more times.
  const repeats = Math.max(0, Math.ceil(minSeconds / seconds) - 1);
  await runChecked('sox', [spoken, '-r', '48000', '-c', '1', '-b', '16', output, 'repeat', String(repeats)]);
  return output;
}

// Runs hz-media-check on FILE and resolves to its JSON summary
// {video_frames, audio_buffers, audio_rms_db_max, first_pts_s, last_pts_s}.
export async function checkRecording(mediaCheckPath, file) {
  const result = await run(mediaCheckPath, [file], TOOL_TIMEOUT_MS);
  if (result.code !== 0)
    throw new Error(`hz-media-check ${file} failed (exit status ${result.code}): ${result.stderr.trim()}`);
  const line = result.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`hz-media-check ${file} printed no JSON: ${result.stdout}`);
  }
}
