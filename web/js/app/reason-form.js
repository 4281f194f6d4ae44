// A button that opens a small form asking for a reason (return, cancel,
// reschedule), then runs the action with it.

import { MessageBox, button, el, field } from './dom.js';

// OPEN_KEY labels the opening button, SUBMIT_KEY the confirming one.
// ON_SUBMIT(reason) runs the action and may throw an ApiError, shown in
// the form. With REQUIRED, an empty reason is rejected.
export function reasonAction({ openKey, submitKey, labelKey, onSubmit, required = true, danger = false }) {
  const textarea = el('textarea', { name: 'reason', rows: 3, maxLength: 500, required });
  const message = new MessageBox();
  const confirm = button(submitKey, null, { kind: danger ? 'danger' : 'primary', submit: true });
  const form = el('form', { class: 'reason-form', hidden: true, attrs: { novalidate: true } },
    field(labelKey, textarea),
    message.element,
    el('div', { class: 'actions' }, confirm,
      button('common.cancel', () => {
        form.hidden = true;
        open.setAttribute('aria-expanded', 'false');
        open.focus();
      })));
  const open = button(openKey, () => {
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden)
      textarea.focus();
  }, { kind: danger ? 'danger-outline' : '' });
  open.setAttribute('aria-expanded', 'false');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    const reason = textarea.value.trim();
    if (required && !reason) {
      message.show('common.reason_missing', null, 'error');
      textarea.focus();
      return;
    }
    confirm.disabled = true;
    try {
      await onSubmit(reason);
    } catch (error) {
      message.showError(error);
    } finally {
      confirm.disabled = false;
    }
  });

  return { open, form };
}
