// The app's pages: URL fragment patterns, the roles that may open each,
// and the navigation of each role.

import { renderAdminOrganizations, renderAdminUsers } from './pages/admin.js';
import { renderAvailability } from './pages/availability.js';
import { renderCalendar } from './pages/calendar.js';
import { renderConsultation } from './pages/consultation.js';
import { renderConsultationList } from './pages/consultation-list.js';
import { renderQueue } from './pages/queue.js';
import { renderRecordings } from './pages/recordings.js';
import { renderRequestForm } from './pages/request-form.js';
import { renderScheduling } from './pages/scheduling.js';
import { renderTeaching } from './pages/teaching.js';

const ALL = ['admin', 'coordinator', 'expert', 'doctor', 'trainee'];

// ":id" matches a positive integer, ":date" a YYYY-MM-DD date.
const ROUTES = [
  { pattern: '/consultations', roles: ['admin', 'coordinator', 'expert', 'doctor'], render: renderConsultationList },
  { pattern: '/consultations/new', roles: ['doctor'], render: renderRequestForm },
  { pattern: '/consultations/:id', roles: ['admin', 'coordinator', 'expert', 'doctor'], render: renderConsultation },
  { pattern: '/consultations/:id/schedule', roles: ['admin', 'coordinator'], render: renderScheduling },
  { pattern: '/queue', roles: ['admin', 'coordinator'], render: renderQueue },
  { pattern: '/calendar', roles: ['expert'], render: renderCalendar },
  { pattern: '/calendar/:date', roles: ['expert'], render: renderCalendar },
  { pattern: '/availability', roles: ['expert'], render: renderAvailability },
  { pattern: '/experts/:id/availability', roles: ['admin', 'coordinator'], render: renderAvailability },
  { pattern: '/teaching', roles: ALL, render: renderTeaching },
  { pattern: '/recordings', roles: ALL, render: renderRecordings },
  { pattern: '/admin/organizations', roles: ['admin'], render: renderAdminOrganizations },
  { pattern: '/admin/users', roles: ['admin', 'coordinator'], render: renderAdminUsers },
];

const NAV = {
  doctor: [
    { path: '/consultations', text: 'nav.my_requests' },
    { path: '/consultations/new', text: 'nav.new_request' },
    { path: '/teaching', text: 'nav.teaching' },
    { path: '/recordings', text: 'nav.recordings' },
  ],
  coordinator: [
    { path: '/queue', text: 'nav.queue' },
    { path: '/consultations', text: 'nav.all_consultations' },
    { path: '/teaching', text: 'nav.teaching' },
    { path: '/admin/users', text: 'nav.users' },
  ],
  expert: [
    { path: '/calendar', text: 'nav.calendar' },
    { path: '/consultations', text: 'nav.my_consultations' },
    { path: '/availability', text: 'nav.availability' },
    { path: '/teaching', text: 'nav.teaching' },
    { path: '/recordings', text: 'nav.recordings' },
  ],
  trainee: [
    { path: '/teaching', text: 'nav.teaching' },
    { path: '/recordings', text: 'nav.recordings' },
  ],
  admin: [
    { path: '/admin/organizations', text: 'nav.organizations' },
    { path: '/admin/users', text: 'nav.users' },
    { path: '/consultations', text: 'nav.all_consultations' },
    { path: '/queue', text: 'nav.queue' },
  ],
};

export function navItems(role) {
  return NAV[role] ?? [];
}

// The first page of each role, which "#/" opens.
export function homePath(role) {
  return NAV[role]?.[0]?.path ?? '/';
}

function matchPattern(pattern, path) {
  const patternParts = pattern.split('/');
  const pathParts = path.split('/');
  if (patternParts.length !== pathParts.length)
    return null;
  const params = {};
  for (let i = 0; i < patternParts.length; i++) {
    const expected = patternParts[i];
    const actual = decodeURIComponent(pathParts[i]);
    if (expected === ':id') {
      if (!/^[1-9][0-9]{0,15}$/.test(actual))
        return null;
      params.id = Number(actual);
    } else if (expected === ':date') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(actual))
        return null;
      params.date = actual;
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

// Returns {route, params} for PATH (without its query), or null.
export function findRoute(path) {
  const [bare] = path.split('?');
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, bare);
    if (params)
      return { route, params };
  }
  return null;
}
