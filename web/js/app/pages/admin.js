// Administration: organizations and their partner links (admins), and user
// accounts (admins for every organization, coordinators for their own). A
// new user's API key is shown once, right after creation, because the
// server stores only its hash.

import { api, query } from '../api.js';
import { pageHeading } from '../common.js';
import { MessageBox, bilingual, button, el, field, replaceChildren, select } from '../dom.js';

const LEVELS = ['district', 'county', 'township', 'city', 'provincial'];
const CONSULTING_LEVELS = new Set(['district', 'city', 'provincial']);
const ROLES = ['admin', 'coordinator', 'expert', 'doctor', 'trainee'];
const COORDINATOR_ROLES = ['expert', 'doctor', 'trainee'];

function organizationForm(context) {
  const name = el('input', { name: 'name', required: true, maxLength: 200 });
  const nameEn = el('input', { name: 'name_en', required: true, maxLength: 200 });
  const level = select('level', LEVELS.map((value) => ({ value, text: `level.${value}` })), 'county');
  const timezone = el('input', { name: 'timezone', value: 'Asia/Shanghai', maxLength: 64 });
  const message = new MessageBox();
  const submit = button('admin.org_create', null, { kind: 'primary', submit: true });
  const form = el('form', { class: 'panel', attrs: { novalidate: true } },
    el('h2', { text: 'admin.org_new' }),
    field('admin.org_name', name), field('admin.org_name_en', nameEn),
    el('div', { class: 'row' }, field('admin.org_level', level),
      field('admin.org_timezone', timezone, { hint: 'admin.org_timezone_hint' })),
    message.element, el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    if (!name.value.trim() || !nameEn.value.trim()) {
      message.show('admin.org_missing', null, 'error');
      return;
    }
    submit.disabled = true;
    try {
      const org = await api('POST', '/organizations', { name: name.value.trim(), name_en: nameEn.value.trim(),
        level: level.value, timezone: timezone.value.trim() || undefined });
      context.orgs.set(org.id, org);
      context.reload();
    } catch (error) {
      message.showError(error);
      submit.disabled = false;
    }
  });
  return form;
}

// The partner links of one consulting hospital: a checkbox per county or
// township hospital, saved with PUT /organizations/{id}/partners.
function partnerForm(context, organizations) {
  const consulting = organizations.filter((org) => CONSULTING_LEVELS.has(org.level));
  const supported = organizations.filter((org) => !CONSULTING_LEVELS.has(org.level));
  if (!consulting.length || !supported.length)
    return null;
  const message = new MessageBox();
  const hospital = select('consulting_org_id', consulting.map((org) => ({ value: org.id, data: org.name })));
  const boxes = supported.map((org) => {
    const input = el('input', { type: 'checkbox', name: 'partner_org_id', value: String(org.id) });
    return { org, input, label: el('label', { class: 'choice' }, input, el('span', { data: org.name })) };
  });
  const showPartners = () => {
    const current = consulting.find((org) => String(org.id) === hospital.value);
    const partners = new Set(current?.partner_org_ids ?? []);
    for (const box of boxes)
      box.input.checked = partners.has(box.org.id);
  };
  hospital.addEventListener('change', showPartners);
  showPartners();
  const submit = button('admin.partners_save', null, { kind: 'primary', submit: true });
  const form = el('form', { class: 'panel partner-form', attrs: { novalidate: true } },
    el('h2', { text: 'admin.partners_title' }),
    el('p', { class: 'hint', text: 'admin.partners_hint' }),
    field('admin.partners_hospital', hospital),
    el('fieldset', { class: 'choices' }, el('legend', { text: 'admin.partners_supported' }),
      boxes.map((box) => box.label)),
    message.element, el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    submit.disabled = true;
    try {
      await api('PUT', `/organizations/${hospital.value}/partners`, {
        partner_org_ids: boxes.filter((box) => box.input.checked).map((box) => box.org.id) });
      context.reload();
    } catch (error) {
      message.showError(error);
      submit.disabled = false;
    }
  });
  return form;
}

export async function renderAdminOrganizations(context) {
  const { organizations } = await api('GET', '/organizations');
  const names = new Map(organizations.map((org) => [org.id, org.name]));
  const rows = organizations.map((org) => el('tr', { attrs: { 'data-org-id': org.id } },
    el('td', { data: org.id }),
    el('td', {}, bilingual(org.name, org.name_en)),
    el('td', { text: `level.${org.level}` }),
    el('td', { data: org.timezone }),
    el('td', { class: 'partners', data: (org.partner_org_ids ?? []).map((id) => names.get(id) ?? id).join('、') }),
    el('td', {}, el('a', { href: `#/admin/users?org=${org.id}`, text: 'admin.org_users',
      label: 'admin.org_users_label', params: { name: org.name } }))));
  return el('section', { class: 'admin-page' },
    pageHeading(context, 'admin.orgs_title'),
    el('div', { class: 'table-wrap' }, el('table', {},
      el('caption', { text: 'admin.orgs_caption', params: { count: organizations.length } }),
      el('thead', {}, el('tr', {}, ['admin.col_id', 'admin.col_name', 'admin.col_level', 'admin.col_timezone',
        'admin.col_partners', 'admin.col_actions'].map((key) => el('th', { text: key, attrs: { scope: 'col' } })))),
      el('tbody', {}, rows))),
    partnerForm(context, organizations),
    organizationForm(context));
}

function passwordForm(user, onDone) {
  const password = el('input', { type: 'password', name: 'password', minLength: 8, maxLength: 128,
    autocomplete: 'new-password', required: true });
  const login = el('input', { name: 'login', value: user.login ?? '', maxLength: 64, autocomplete: 'off' });
  const message = new MessageBox();
  const form = el('form', { class: 'password-form', attrs: { novalidate: true } },
    field('admin.user_login', login, { hint: 'admin.user_login_hint' }),
    field('admin.new_password', password, { hint: 'admin.password_hint' }),
    message.element,
    el('div', { class: 'actions' }, button('admin.set_password', null, { kind: 'primary', submit: true }),
      button('common.cancel', () => onDone(false))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    if (password.value.length < 8) {
      message.show('admin.password_short', null, 'error');
      return;
    }
    const body = { password: password.value };
    if (login.value.trim())
      body.login = login.value.trim();
    try {
      await api('POST', `/users/${user.id}/password`, body);
      password.value = '';
      onDone(true);
    } catch (error) {
      message.showError(error);
    }
  });
  return form;
}

function userRow(context, user, tableMessage) {
  const row = el('tr', { attrs: { 'data-user-id': user.id } },
    el('td', { data: user.name }),
    el('td', { text: `role.${user.role}` }),
    el('td', {}, user.org_id ? bilingual(context.orgs.get(user.org_id)?.name ?? String(user.org_id),
      context.orgs.get(user.org_id)?.name_en) : el('span', { class: 'muted', text: 'admin.no_org' })),
    el('td', { data: [user.specialty, user.title].filter(Boolean).join(' ') }),
    el('td', { data: user.login ?? '' }));
  const actions = el('td', { class: 'row-actions' });
  const mayManage = context.me.role === 'admin' || COORDINATOR_ROLES.includes(user.role) ||
    user.id === context.me.id;
  if (mayManage) {
    actions.append(button('admin.password', () => {
      const cell = el('td', { attrs: { colspan: 6 } });
      const formRow = el('tr', { class: 'form-row' }, cell);
      cell.append(passwordForm(user, (changed) => {
        formRow.remove();
        if (changed)
          tableMessage.show('admin.password_set', { name: user.name }, 'success');
      }));
      row.after(formRow);
      cell.querySelector('input').focus();
    }, { kind: 'small', label: 'admin.password_label', params: { name: user.name } }));
  }
  if (user.role === 'expert') {
    actions.append(el('a', { class: 'button small', href: `#/experts/${user.id}/availability`,
      text: 'admin.availability', label: 'admin.availability_label', params: { name: user.name } }));
  }
  row.append(actions);
  return row;
}

function userForm(context, orgChoices, defaultOrg, onCreated) {
  const isAdmin = context.me.role === 'admin';
  const org = select('org_id', orgChoices, defaultOrg);
  const name = el('input', { name: 'name', required: true, maxLength: 100 });
  const role = select('role', (isAdmin ? ROLES : COORDINATOR_ROLES).map((value) => ({ value, text: `role.${value}` })),
    'doctor');
  const specialty = el('input', { name: 'specialty', maxLength: 100 });
  const title = el('input', { name: 'title', maxLength: 100 });
  const login = el('input', { name: 'login', maxLength: 64, autocomplete: 'off' });
  const password = el('input', { type: 'password', name: 'password', maxLength: 128, autocomplete: 'new-password' });
  const message = new MessageBox();
  const submit = button('admin.user_create', null, { kind: 'primary', submit: true });
  const form = el('form', { class: 'panel', attrs: { novalidate: true } },
    el('h2', { text: 'admin.user_new' }),
    isAdmin ? field('admin.user_org', org) : null,
    el('div', { class: 'row' }, field('admin.user_name', name), field('admin.user_role', role)),
    el('div', { class: 'row' }, field('admin.user_specialty', specialty), field('admin.user_title', title)),
    el('div', { class: 'row' }, field('admin.user_login', login, { hint: 'admin.user_login_hint' }),
      field('admin.user_password', password, { hint: 'admin.password_hint' })),
    message.element, el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    if (!name.value.trim()) {
      message.show('admin.user_missing', null, 'error');
      return;
    }
    const body = { org_id: isAdmin ? Number(org.value) : context.me.org_id, name: name.value.trim(), role: role.value };
    for (const [input, member] of [[specialty, 'specialty'], [title, 'title'], [login, 'login']]) {
      if (input.value.trim())
        body[member] = input.value.trim();
    }
    if (password.value)
      body.password = password.value;
    submit.disabled = true;
    try {
      const created = await api('POST', '/users', body);
      password.value = '';
      onCreated(created);
    } catch (error) {
      message.showError(error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function renderAdminUsers(context) {
  const isAdmin = context.me.role === 'admin';
  const requestedOrg = Number(new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('org')) || null;
  const orgFilter = isAdmin ? requestedOrg : context.me.org_id;
  const { users } = await api('GET', `/users${query({ org_id: orgFilter })}`);
  const tableMessage = new MessageBox();
  const keyBox = el('div', { class: 'panel key-box', hidden: true, attrs: { role: 'status' } });

  const orgChoices = [...context.orgs.values()].map((org) => ({ value: org.id, data: org.name }));
  const filter = isAdmin ? select('org', [{ value: '', text: 'admin.all_orgs' }, ...orgChoices], orgFilter ?? '') : null;
  filter?.addEventListener('change', () => {
    context.navigate(filter.value ? `/admin/users?org=${filter.value}` : '/admin/users');
  });

  const tbody = el('tbody', {}, users.map((user) => userRow(context, user, tableMessage)));
  const form = userForm(context, orgChoices, orgFilter ?? orgChoices[0]?.value ?? null, (created) => {
    tbody.append(userRow(context, created, tableMessage));
    replaceChildren(keyBox,
      el('p', { text: 'admin.user_created', params: { name: created.name } }),
      el('p', { text: 'admin.api_key_once' }),
      el('code', { class: 'api-key', data: created.api_key }));
    keyBox.hidden = false;
    keyBox.scrollIntoView({ block: 'nearest' });
  });

  return el('section', { class: 'admin-page' },
    pageHeading(context, 'admin.users_title'),
    filter ? el('div', { class: 'filters' }, field('admin.filter_org', filter)) : null,
    tableMessage.element,
    el('div', { class: 'table-wrap' }, el('table', {},
      el('caption', { text: 'admin.users_caption', params: { count: users.length } }),
      el('thead', {}, el('tr', {}, ['admin.col_name', 'admin.col_role', 'admin.col_org', 'admin.col_specialty',
        'admin.col_login', 'admin.col_actions'].map((key) => el('th', { text: key, attrs: { scope: 'col' } })))),
      tbody)),
    keyBox,
    form);
}
