// Message catalogue and language switch for the Huizhen pages.
//
// Every string a user sees comes from `messages`. Simplified Chinese is the
// default; the user's choice of English is stored in localStorage under
// STORAGE_KEY and applies to every page of the site.
//
// Static markup names its strings with attributes that applyTranslations()
// fills in:
//   data-i18n="key"             textContent
//   data-i18n-params='{"n":1}'  values for {n} placeholders in that string
//   data-i18n-aria-label="key"  aria-label
//   data-i18n-title="key"       title (tooltip)
//   data-i18n-alt="key"         alt

export const DEFAULT_LANGUAGE = 'zh-CN';
export const LANGUAGES = ['zh-CN', 'en'];
const STORAGE_KEY = 'huizhen.lang';

export const messages = {
  'zh-CN': {
    'app.name': 'Huizhen 远程会诊',
    'lang.switch': 'English',
    'lang.switch_label': '切换到英文界面',
    'noscript': '本页面需要启用 JavaScript。',

    'index.title': 'Huizhen 远程会诊',
    'index.heading': 'Huizhen 远程会诊',
    'index.intro': 'Huizhen 是一套开源的远程会诊系统。县级医院的医生通过视频与杨浦区中心医院的专家会诊：会诊中心预约时间、安排专家，双方在约定时间打开各自的入会链接即可进入同一场视频会诊。',
    'index.how_heading': '入会链接怎么用',
    'index.how_1': '会诊中心安排好会诊后，会把一个入会链接发给申请会诊的医生和受邀专家，每人一个，不能共用。',
    'index.how_2': '链接从会诊开始前 15 分钟到结束后 30 分钟有效。过期后请向会诊中心重新获取。',
    'index.how_3': '用电脑或手机上的最新版 Chrome、Edge 或 Firefox 打开链接，浏览器询问时允许使用摄像头和麦克风。没有摄像头时也可以只用声音参加。',
    'index.how_4': '链接中“#”之后的入会凭证只发给会诊音视频服务器，不会发给网站，打开页面后也会从地址栏中移除。请不要转发链接。',
    'index.how_5': '会诊的声音和图像可能被录制，页面上会显示录制提示。',
    'index.example_label': '入会链接的样子：',
    'index.help': '打不开链接或看不到画面时，请联系本院信息科或会诊中心。',

    'join.title': '远程会诊 · 入会',
    'join.heading': '远程会诊',
    'join.session': '会诊编号：{session}',
    'join.videos_label': '参会人画面',
    'join.controls_label': '会诊控制',
    'join.you': '我',
    'join.you_named': '{name}（我）',
    'join.audio_only_tag': '仅音频',
    'join.no_video_yet': '正在等待画面…',
    'join.no_camera': '摄像头未开启',
    'join.unmute_playback': '点击播放声音',
    'join.unmute_playback_label': '播放 {name} 的声音',

    'control.mic_off': '静音',
    'control.mic_on': '取消静音',
    'control.mic_off_label': '关闭我的麦克风',
    'control.mic_on_label': '打开我的麦克风',
    'control.camera_off': '关闭摄像头',
    'control.camera_on': '打开摄像头',
    'control.camera_off_label': '关闭我的摄像头',
    'control.camera_on_label': '打开我的摄像头',
    'control.leave': '离开会诊',
    'control.leave_label': '离开本次会诊',
    'control.rejoin': '重新入会',
    'control.rejoin_label': '重新加入本次会诊',

    'status.opening_media': '正在打开摄像头和麦克风…',
    'status.connecting': '正在连接会诊服务器…',
    'status.joined_alone': '已入会，正在等待其他参会人…',
    'status.joined_count': '会诊进行中，共 {count} 人参会。',
    'status.view_only': '您以旁听身份入会，只能观看和收听。',
    'status.left': '您已离开会诊。',
    'status.participant_joined': '{name} 加入了会诊。',
    'status.participant_left': '{name} 离开了会诊。',

    'notice.audio_only': '未能打开摄像头（{reason}），已以仅音频方式入会，其他人能听到您，但看不到您。',
    'notice.no_media': '未能打开麦克风和摄像头（{reason}）。您仍可观看和收听，但其他人听不到也看不到您。请在浏览器中允许使用麦克风后点击“重新入会”。',
    'notice.recording_audio_video': '本次会诊正在录制您的声音和图像。',
    'notice.recording_audio': '本次会诊正在录制您的声音。',
    'notice.recording_video': '本次会诊正在录制您的图像。',

    'reason.denied': '浏览器或系统拒绝了使用权限',
    'reason.not_found': '未找到设备',
    'reason.busy': '设备正被其他程序使用',
    'reason.other': '设备无法使用',

    'error.link_incomplete': '入会链接不完整：缺少会诊编号、入会凭证或服务器地址。请重新打开会诊中心发给您的完整链接。',
    'error.link_bad_relay': '入会链接中的服务器地址无效。请向会诊中心重新获取链接。',
    'error.insecure_context': '浏览器只在 https:// 开头的网址（或本机地址）上允许使用摄像头和麦克风。请用 https:// 链接打开本页。',
    'error.unsupported': '此浏览器不支持视频会诊。请使用最新版 Chrome、Edge 或 Firefox。',
    'error.connect_failed': '无法连接会诊服务器。请检查网络后点击“重新入会”。',
    'error.connection_lost': '与会诊服务器的连接已断开。请点击“重新入会”。',
    'error.publish_failed': '无法把您的声音和图像发送到会诊服务器，可能是网络防火墙阻挡了音视频连接。请联系本院信息科。',
    'error.receive_failed': '无法接收 {name} 的声音和图像，可能是网络防火墙阻挡了音视频连接。',
    'error.media_setup_failed': '建立音视频连接时出错。请刷新页面后重试。',

    'error.bad_message': '会诊服务器无法识别本页发送的消息。请刷新页面后重试；仍然失败时请联系会诊中心。',
    'error.message_too_large': '本页发送的消息过大，会诊服务器拒绝接收。请刷新页面后重试。',
    'error.not_joined': '尚未入会，会诊服务器拒绝了请求。请点击“重新入会”。',
    'error.already_joined': '本页面已经在会诊中，无需重复加入。',
    'error.token_malformed': '入会链接不完整或已损坏。请把会诊中心发来的链接完整复制后重新打开。',
    'error.token_bad_signature': '入会链接无效，可能被改动过。请向会诊中心重新获取。',
    'error.token_expired': '入会链接已过期，请向会诊中心重新获取。',
    'error.token_not_yet_valid': '会诊尚未开始。入会链接在会诊开始前 15 分钟生效，请稍后再打开。',
    'error.token_wrong_session': '该入会链接不属于这场会诊。请核对链接，或向会诊中心重新获取。',
    'error.replaced': '您已在另一个窗口或设备上用同一身份加入了这场会诊，本页面已断开。要在本页面继续，请点击“重新入会”。',
    'error.not_allowed': '您以旁听身份入会，不能发送声音和图像。',
    'error.bad_sdp': '音视频协商失败：会诊服务器无法识别连接参数。请刷新页面后重试。',
    'error.unknown_pc': '会诊服务器找不到对应的音视频连接。请刷新页面后重试。',
    'error.negotiation_failed': '会诊服务器无法建立音视频连接。请刷新页面后重试；仍然失败时请联系会诊中心。',
    'error.internal_error': '会诊服务器内部出错。请稍后点击“重新入会”；仍然失败时请联系会诊中心。',
    'error.unknown': '会诊服务器返回了错误（代码 {code}）。请刷新页面后重试。',
  },

  en: {
    'app.name': 'Huizhen remote consultation',
    'lang.switch': '中文',
    'lang.switch_label': 'Switch to Chinese',
    'noscript': 'This page needs JavaScript.',

    'index.title': 'Huizhen remote consultation',
    'index.heading': 'Huizhen remote consultation',
    'index.intro': 'Huizhen is an open-source remote consultation system. Doctors at county hospitals consult experts of Yangpu District Central Hospital by video: the consultation centre books a time and an expert, and at that time both open their own join link to enter the same video call.',
    'index.how_heading': 'How a join link works',
    'index.how_1': 'When a consultation is scheduled, the consultation centre sends one join link to the requesting doctor and one to the expert. Each link is personal and cannot be shared.',
    'index.how_2': 'A link is valid from 15 minutes before the consultation starts until 30 minutes after it ends. Ask the consultation centre for a new one when it has expired.',
    'index.how_3': 'Open the link in a current Chrome, Edge or Firefox on a computer or phone, and allow the camera and microphone when the browser asks. Without a camera you can take part by voice only.',
    'index.how_4': 'The join token after the "#" in the link goes only to the consultation media server, never to this website, and the page removes it from the address bar. Please do not forward the link.',
    'index.how_5': 'Consultations may be recorded; the page shows a notice while it is.',
    'index.example_label': 'A join link looks like this:',
    'index.help': 'If the link does not open or you see no video, contact your hospital\'s IT department or the consultation centre.',

    'join.title': 'Remote consultation · Join',
    'join.heading': 'Remote consultation',
    'join.session': 'Consultation no. {session}',
    'join.videos_label': 'Participant video',
    'join.controls_label': 'Call controls',
    'join.you': 'You',
    'join.you_named': '{name} (you)',
    'join.audio_only_tag': 'audio only',
    'join.no_video_yet': 'Waiting for video…',
    'join.no_camera': 'No camera',
    'join.unmute_playback': 'Click to play sound',
    'join.unmute_playback_label': 'Play the sound of {name}',

    'control.mic_off': 'Mute',
    'control.mic_on': 'Unmute',
    'control.mic_off_label': 'Turn my microphone off',
    'control.mic_on_label': 'Turn my microphone on',
    'control.camera_off': 'Camera off',
    'control.camera_on': 'Camera on',
    'control.camera_off_label': 'Turn my camera off',
    'control.camera_on_label': 'Turn my camera on',
    'control.leave': 'Leave',
    'control.leave_label': 'Leave this consultation',
    'control.rejoin': 'Rejoin',
    'control.rejoin_label': 'Join this consultation again',

    'status.opening_media': 'Opening camera and microphone…',
    'status.connecting': 'Connecting to the consultation server…',
    'status.joined_alone': 'Joined. Waiting for the other participants…',
    'status.joined_count': 'Consultation in progress, {count} participants.',
    'status.view_only': 'You joined as an observer: you can watch and listen only.',
    'status.left': 'You have left the consultation.',
    'status.participant_joined': '{name} joined the consultation.',
    'status.participant_left': '{name} left the consultation.',

    'notice.audio_only': 'The camera could not be opened ({reason}). You joined with audio only: the others can hear you but not see you.',
    'notice.no_media': 'The microphone and camera could not be opened ({reason}). You can still watch and listen, but the others can neither hear nor see you. Allow the microphone in the browser, then click "Rejoin".',
    'notice.recording_audio_video': 'Your voice and video are being recorded in this consultation.',
    'notice.recording_audio': 'Your voice is being recorded in this consultation.',
    'notice.recording_video': 'Your video is being recorded in this consultation.',

    'reason.denied': 'permission denied by the browser or system',
    'reason.not_found': 'no device found',
    'reason.busy': 'the device is in use by another program',
    'reason.other': 'the device cannot be used',

    'error.link_incomplete': 'The join link is incomplete: the consultation number, join token or server address is missing. Open the complete link from the consultation centre again.',
    'error.link_bad_relay': 'The server address in the join link is invalid. Ask the consultation centre for a new link.',
    'error.insecure_context': 'Browsers allow the camera and microphone only on https:// addresses (or this computer). Open this page with an https:// link.',
    'error.unsupported': 'This browser does not support video consultations. Use a current Chrome, Edge or Firefox.',
    'error.connect_failed': 'Could not connect to the consultation server. Check the network, then click "Rejoin".',
    'error.connection_lost': 'The connection to the consultation server was lost. Click "Rejoin".',
    'error.publish_failed': 'Your voice and video cannot reach the consultation server; a network firewall may be blocking the media connection. Contact your hospital\'s IT department.',
    'error.receive_failed': 'The voice and video of {name} cannot be received; a network firewall may be blocking the media connection.',
    'error.media_setup_failed': 'Setting up the media connection failed. Reload the page and try again.',

    'error.bad_message': 'The consultation server did not understand a message from this page. Reload the page and try again; if it fails again, contact the consultation centre.',
    'error.message_too_large': 'A message from this page was too large for the consultation server. Reload the page and try again.',
    'error.not_joined': 'The consultation server rejected a request because this page has not joined yet. Click "Rejoin".',
    'error.already_joined': 'This page has already joined the consultation.',
    'error.token_malformed': 'The join link is incomplete or damaged. Copy the whole link from the consultation centre and open it again.',
    'error.token_bad_signature': 'The join link is invalid; it may have been altered. Ask the consultation centre for a new one.',
    'error.token_expired': 'The join link has expired. Ask the consultation centre for a new one.',
    'error.token_not_yet_valid': 'The consultation has not started yet. The join link becomes valid 15 minutes before the start; open it again later.',
    'error.token_wrong_session': 'This join link belongs to another consultation. Check the link or ask the consultation centre for a new one.',
    'error.replaced': 'You joined this consultation as the same person in another window or on another device, so this page was disconnected. To continue here, click "Rejoin".',
    'error.not_allowed': 'You joined as an observer and cannot send voice or video.',
    'error.bad_sdp': 'Media negotiation failed: the consultation server could not read the connection parameters. Reload the page and try again.',
    'error.unknown_pc': 'The consultation server does not know this media connection. Reload the page and try again.',
    'error.negotiation_failed': 'The consultation server could not set up the media connection. Reload the page and try again; if it fails again, contact the consultation centre.',
    'error.internal_error': 'The consultation server had an internal error. Click "Rejoin" in a moment; if it fails again, contact the consultation centre.',
    'error.unknown': 'The consultation server returned an error (code {code}). Reload the page and try again.',
  },
};

// Error codes of docs/signalling.md; each has an 'error.CODE' string above.
export const RELAY_ERROR_CODES = [
  'bad_message', 'message_too_large', 'not_joined', 'already_joined',
  'token_malformed', 'token_bad_signature', 'token_expired',
  'token_not_yet_valid', 'token_wrong_session', 'replaced', 'not_allowed', 'bad_sdp',
  'unknown_pc', 'negotiation_failed', 'internal_error',
];

function readStoredLanguage() {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(stored) ? stored : null;
  } catch {
    // Storage is disabled (private mode, file://): keep the default.
    return null;
  }
}

let activeLanguage = readStoredLanguage() || DEFAULT_LANGUAGE;

export function currentLanguage() {
  return activeLanguage;
}

// Returns the string KEY in the current language with each {name} replaced
// by PARAMS[name]. A parameter of the form {key: 'other.key'} is itself
// translated, so it follows language switches too. A key missing from the
// catalogue comes back as the key itself, so the gap shows on screen
// instead of an empty element.
export function t(key, params = {}) {
  const catalogue = messages[activeLanguage] || messages[DEFAULT_LANGUAGE];
  const template = catalogue[key] ?? messages[DEFAULT_LANGUAGE][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!Object.prototype.hasOwnProperty.call(params, name))
      return whole;
    const value = params[name];
    if (value !== null && typeof value === 'object' && typeof value.key === 'string')
      return t(value.key);
    return String(value);
  });
}

function readParams(element) {
  const text = element.getAttribute('data-i18n-params');
  if (!text)
    return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

// Fills every element under ROOT that carries a data-i18n* attribute.
export function applyTranslations(root = document) {
  for (const element of root.querySelectorAll('[data-i18n]'))
    element.textContent = t(element.getAttribute('data-i18n'), readParams(element));
  for (const [attribute, target] of [['data-i18n-aria-label', 'aria-label'],
    ['data-i18n-title', 'title'],
    ['data-i18n-alt', 'alt']]) {
    for (const element of root.querySelectorAll(`[${attribute}]`))
      element.setAttribute(target, t(element.getAttribute(attribute), readParams(element)));
  }
}

// Points ELEMENT's text (and optionally its aria-label) at catalogue keys, so
// that later language switches re-render it.
export function setText(element, key, params = null, labelKey = null) {
  element.setAttribute('data-i18n', key);
  if (params)
    element.setAttribute('data-i18n-params', JSON.stringify(params));
  else
    element.removeAttribute('data-i18n-params');
  element.textContent = t(key, params || {});
  if (labelKey) {
    element.setAttribute('data-i18n-aria-label', labelKey);
    element.setAttribute('aria-label', t(labelKey, params || {}));
  }
}

// Switches the page to LANGUAGE, stores the choice and updates the lang
// attribute. Listeners of the 'huizhen-languagechange' event on window
// re-render anything that applyTranslations() does not reach.
export function setLanguage(language) {
  if (!LANGUAGES.includes(language))
    return;
  activeLanguage = language;
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Without storage the choice lasts until the page is closed.
  }
  document.documentElement.lang = language;
  applyTranslations(document);
  window.dispatchEvent(new CustomEvent('huizhen-languagechange', { detail: { language } }));
}

// Applies the stored or default language to the page and makes BUTTON toggle
// between Chinese and English.
export function initLanguage(button) {
  document.documentElement.lang = activeLanguage;
  applyTranslations(document);
  if (button) {
    button.addEventListener('click', () =>
      setLanguage(activeLanguage === 'en' ? 'zh-CN' : 'en'));
  }
}
