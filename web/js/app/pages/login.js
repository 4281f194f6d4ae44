// The login page: login name and password to POST /api/v1/login, which
// sets the session cookie.

import { api } from '../api.js';
import { MessageBox, button, el, field } from '../dom.js';

// ON_SIGNED_IN runs after a successful login.
export function renderLogin({ onSignedIn }) {
  const login = el('input', { name: 'login', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: false, maxLength: 64 });
  const password = el('input', { name: 'password', type: 'password', required: true,
    autocomplete: 'current-password', maxLength: 128 });
  const message = new MessageBox();
  const submit = button('login.submit', null, { kind: 'primary', submit: true });

  const form = el('form', { class: 'login-form', attrs: { novalidate: true } },
    field('login.name', login),
    field('login.password', password),
    message.element,
    el('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    if (!login.value.trim() || !password.value) {
      message.show('login.missing', null, 'error');
      return;
    }
    submit.disabled = true;
    try {
      await api('POST', '/login', { login: login.value.trim(), password: password.value });
      password.value = '';
      await onSignedIn();
    } catch (error) {
      message.showError(error);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });

  return el('section', { class: 'login-page' },
    el('h1', { text: 'login.heading' }),
    el('p', { class: 'lead', text: 'login.intro' }),
    form,
    el('p', { class: 'hint' }, el('a', { href: 'help.html', text: 'login.help_link' })));
}
