// The Huizhen web app (index.html): login, then the pages of the signed-in
// user's role, routed by the URL fragment (#/consultations/7).
//
// Every page module exports render(context, params), which resolves to the
// page's element. `context` holds the user (GET /api/v1/me), the
// organizations and the time zone of the user's organization, in which
// every time is shown.

import { initLanguage, t } from '../i18n.js';
import { api, onUnauthorized } from './api.js';
import { el, refreshBilingual, replaceChildren } from './dom.js';
import { BEIJING_ZONE, refreshTimes } from './time.js';
import { findRoute, homePath, navItems } from './routes.js';
import { renderLogin } from './pages/login.js';

class App {
  constructor() {
    this.view = document.getElementById('view');
    this.nav = document.getElementById('app-nav');
    this.userName = document.getElementById('user-name');
    this.logoutButton = document.getElementById('logout-button');
    this.context = null;
    this.renderCount = 0;
  }

  async start() {
    initLanguage(document.getElementById('lang-switch'));
    window.addEventListener('huizhen-languagechange', () => this.languageChanged());
    window.addEventListener('hashchange', () => this.route());
    this.logoutButton.addEventListener('click', () => this.logout());
    // The fragment holds the route, so the skip link moves focus itself.
    document.querySelector('.skip-link')?.addEventListener('click', (event) => {
      event.preventDefault();
      this.view.focus();
    });
    onUnauthorized(() => {
      if (this.context)
        this.signedOut();
    });
    await this.loadUser();
    await this.route();
  }

  // Reads the user behind the session cookie; leaves context null when
  // there is no session.
  async loadUser() {
    try {
      const me = await api('GET', '/me');
      const { organizations } = await api('GET', '/organizations');
      const orgs = new Map(organizations.map((org) => [org.id, org]));
      const org = me.org_id ? orgs.get(me.org_id) ?? null : null;
      this.context = {
        me, org, orgs,
        zone: org?.timezone || BEIJING_ZONE,
        navigate: (path) => this.navigate(path),
        reload: () => this.route(),
        setTitle: (key, params) => this.setTitle(key, params),
      };
    } catch (error) {
      this.context = null;
      if (error.status !== 401)
        console.warn('huizhen: reading the signed-in user failed', error);
    }
    this.renderChrome();
  }

  renderChrome() {
    const me = this.context?.me;
    this.logoutButton.hidden = !me;
    this.userName.hidden = !me;
    if (me) {
      replaceChildren(this.userName, el('span', { data: me.name }),
        el('span', { class: 'role-tag', text: `role.${me.role}` }));
    }
    replaceChildren(this.nav, me ? navItems(me.role).map((item) =>
      el('a', { href: `#${item.path}`, text: item.text, class: 'nav-link' })) : []);
  }

  markCurrentNav(path) {
    for (const link of this.nav.querySelectorAll('a')) {
      const target = link.getAttribute('href').slice(1);
      const current = target === path || (target !== '/' && path.startsWith(`${target}/`));
      if (current)
        link.setAttribute('aria-current', 'page');
      else
        link.removeAttribute('aria-current');
    }
  }

  currentPath() {
    const hash = window.location.hash.replace(/^#/, '');
    return hash.startsWith('/') ? hash : '/';
  }

  navigate(path) {
    if (this.currentPath() === path)
      this.route();
    else
      window.location.hash = path;
  }

  setTitle(key, params = null) {
    this.titleKey = key;
    this.titleParams = params;
    document.title = `${t(key, params || {})} · ${t('app.name')}`;
  }

  // Renders the page of the current fragment. A later call supersedes one
  // whose data is still loading.
  async route() {
    const renderId = ++this.renderCount;
    const path = this.currentPath();

    if (!this.context) {
      this.setTitle('login.title');
      this.show(renderLogin({
        onSignedIn: async () => {
          await this.loadUser();
          await this.route();
        },
      }));
      return;
    }

    const { me } = this.context;
    if (path === '/') {
      const home = homePath(me.role);
      if (home !== '/') {
        window.location.replace(`#${home}`);
        return;
      }
    }

    const match = findRoute(path);
    this.markCurrentNav(path);
    this.view.setAttribute('aria-busy', 'true');
    let page;
    if (!match) {
      this.setTitle('common.not_found_title');
      page = el('section', {}, el('h1', { text: 'common.not_found_title' }),
        el('p', { text: 'common.not_found_text' }));
    } else if (!match.route.roles.includes(me.role)) {
      this.setTitle('common.forbidden_title');
      page = el('section', {}, el('h1', { text: 'common.forbidden_title' }),
        el('p', { text: 'common.forbidden_text' }));
    } else {
      try {
        page = await match.route.render(this.context, match.params);
      } catch (error) {
        console.warn('huizhen: rendering', path, 'failed', error);
        page = errorPage(error);
      }
    }
    if (renderId !== this.renderCount)
      return;
    this.view.removeAttribute('aria-busy');
    this.show(page);
  }

  show(page) {
    replaceChildren(this.view, page);
    const heading = this.view.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }

  async logout() {
    try {
      await api('POST', '/logout');
    } catch (error) {
      console.warn('huizhen: logout failed', error);
    }
    this.signedOut();
  }

  signedOut() {
    this.context = null;
    this.renderChrome();
    window.location.hash = '#/';
    this.route();
  }

  languageChanged() {
    refreshTimes(document);
    refreshBilingual(document);
    if (this.titleKey)
      this.setTitle(this.titleKey, this.titleParams);
    window.dispatchEvent(new CustomEvent('huizhen-app-languagechange'));
  }
}

// The page for a failed load: 404 and 403 from the API get their own
// heading, so a consultation of another hospital reads as "not found".
function errorPage(error) {
  const titleKey = error?.status === 404 ? 'common.not_found_title'
    : error?.status === 403 ? 'common.forbidden_title' : 'common.error_title';
  const textKey = error?.status === 404 ? 'common.not_found_text'
    : error?.status === 403 ? 'common.forbidden_text' : null;
  const parts = [el('h1', { text: titleKey })];
  if (textKey)
    parts.push(el('p', { text: textKey }));
  else if (error?.serverMessage)
    parts.push(el('p', { class: 'message error', data: error.serverMessage }));
  else
    parts.push(el('p', { class: 'message error', text: error?.key || 'common.error_unexpected' }));
  parts.push(el('p', {}, el('a', { href: '#/', text: 'common.back_home' })));
  return el('section', { class: 'error-page' }, parts);
}

const app = new App();
window.huizhenApp = app;
app.start();
