// The help page on join links only needs its strings and the language switch.
import { initLanguage } from './i18n.js';

initLanguage(document.getElementById('lang-switch'));
