// Booking a consultation through the scheduler's HTTP API (/api/v1).

const REQUEST_TIMEOUT_MS = 10000;

// Sends one JSON request and resolves to the parsed body; rejects with the
// method, path, status and body when the status is not EXPECTED_STATUS.
export async function request(baseUrl, method, path, key, body, expectedStatus) {
  const headers = { 'Accept-Language': 'en' };
  if (key)
    headers.Authorization = `Bearer ${key}`;
  if (body !== undefined)
    headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== expectedStatus)
    throw new Error(`${method} /api/v1${path} returned ${response.status}, expected ${expectedStatus}: ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${method} /api/v1${path} returned a body that is not JSON: ${text}`);
  }
}

// RFC 3339 in China Standard Time (UTC+08:00), the zone of the hospitals.
function formatChinaTime(date) {
  const shifted = new Date(date.getTime() + 8 * 3600 * 1000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

// Creates a district hospital with an expert, a county hospital with a
// doctor, and a consultation of that doctor scheduled with that expert from
// now for DURATION_MINUTES, booked with recording. Resolves to {sessionId,
// consultationId, doctor, expert}, where doctor and expert are {id, name,
// key}.
export async function bookConsultation(baseUrl, adminKey, durationMinutes = 30) {
  const district = await request(baseUrl, 'POST', '/organizations', adminKey,
    { name: '杨浦区中心医院', name_en: 'Yangpu District Central Hospital', level: 'district' }, 201);
  const county = await request(baseUrl, 'POST', '/organizations', adminKey,
    { name: '双柏县人民医院', name_en: 'Shuangbai County People\'s Hospital', level: 'county' }, 201);

  const doctor = await request(baseUrl, 'POST', '/users', adminKey,
    { org_id: county.id, name: '李医生', role: 'doctor', specialty: '内科', title: '主治医师' }, 201);
  const expert = await request(baseUrl, 'POST', '/users', adminKey,
    { org_id: district.id, name: '王专家', role: 'expert', specialty: '心血管内科', title: '主任医师' }, 201);

  const consultation = await request(baseUrl, 'POST', '/consultations', doctor.api_key, {
    specialty: '心血管内科',
    patient: { ref: 'T-0001', age: 61, sex: 'male', summary: '胸闷三天' },
    question: '是否需要介入治疗？',
  }, 201);

  // A few seconds ahead, so the start is not in the past when it arrives.
  const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
  const end = new Date(start.getTime() + durationMinutes * 60 * 1000);
  const scheduled = await request(baseUrl, 'POST', `/consultations/${consultation.id}/schedule`, adminKey,
    { expert_id: expert.id, start: formatChinaTime(start), end: formatChinaTime(end), recording: true },
    201);
  if (!scheduled.session_id)
    throw new Error(`scheduling returned no session_id: ${JSON.stringify(scheduled)}`);

  return {
    sessionId: scheduled.session_id,
    consultationId: consultation.id,
    doctor: { id: String(doctor.id), name: doctor.name, key: doctor.api_key },
    expert: { id: String(expert.id), name: expert.name, key: expert.api_key },
  };
}

// Resolves to {token, join_url, relay_url, not_before, expires_at}.
export function requestJoinToken(baseUrl, sessionId, key) {
  return request(baseUrl, 'POST', `/sessions/${sessionId}/join-token`, key, {}, 200);
}

export async function listRecordings(baseUrl, sessionId, key) {
  const body = await request(baseUrl, 'GET', `/sessions/${sessionId}/recordings`, key, undefined, 200);
  return body.recordings ?? [];
}
