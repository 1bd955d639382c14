// The pages' words in Bahasa Indonesia and English: `web/i18n/id.json` and `en.json`, one flat
// object of `key → text` each. Static text carries `data-i18n="key"` (or `data-i18n-placeholder`,
// `-aria-label`, `-title` for attributes); script text goes through `t(key, {name})`.
//
// The language: the switch on the page (remembered on this device), else the browser's own
// (`navigator.languages`, which is what it sends as Accept-Language), else the outlet's, else
// Indonesian.

const LANG_KEY = 'kedai.lang';
const OUTLET_LANG_KEY = 'kedai.outlet_lang';
/** The languages Kedai speaks, each named in itself. */
export const LANGUAGES = { id: 'Bahasa Indonesia', en: 'English' };

let strings = {};
let current = 'id';

/** The language this page is shown in (`id` or `en`). */
export const lang = () => current;

/** The locale for numbers, dates and times. */
export const locale = () => (current === 'id' ? 'id-ID' : 'en-GB');

function spoken(code) {
  return Object.hasOwn(LANGUAGES, code) ? code : null;
}

/** Which language to show: the switch, the browser, the outlet, then Indonesian. */
export function preferredLanguage() {
  const chosen = spoken(localStorage.getItem(LANG_KEY));
  if (chosen) return chosen;
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = spoken(String(tag).toLowerCase().split('-')[0]);
    if (base) return base;
  }
  return spoken(localStorage.getItem(OUTLET_LANG_KEY)) || 'id';
}

/** A page learnt its outlet's language: the fallback for browsers that speak neither. */
export function rememberOutletLanguage(code) {
  if (spoken(code)) localStorage.setItem(OUTLET_LANG_KEY, code);
}

/** Loads the language's words and translates the page's static text. Call before rendering. */
export async function loadLanguage() {
  current = preferredLanguage();
  try {
    const response = await fetch(`/static/i18n/${current}.json`, { cache: 'no-cache' });
    strings = response.ok ? await response.json() : {};
  } catch {
    strings = {};
  }
  document.documentElement.lang = current;
  translate(document);
  return current;
}

/** The text of `key`, with `{name}` placeholders filled from `vars`; the key itself if unknown. */
export function t(key, vars = {}) {
  const text = Object.hasOwn(strings, key) ? strings[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

/** Whether `key` has a text in this language. */
export const has = (key) => Object.hasOwn(strings, key);

const ATTRIBUTES = ['placeholder', 'aria-label', 'title'];

/** Fills every `data-i18n*` element under `root` with its text. */
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attribute of ATTRIBUTES) {
    for (const el of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      el.setAttribute(attribute, t(el.getAttribute(`data-i18n-${attribute}`)));
    }
  }
}

/** The language switch: a select naming each language in itself; a change reloads the page. */
export function languageSwitch() {
  const select = document.createElement('select');
  select.id = 'lang-switch';
  select.className = 'lang-switch';
  select.setAttribute('aria-label', t('common.language'));
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = document.createElement('option');
    option.value = code;
    option.lang = code;
    option.textContent = name;
    option.selected = code === current;
    select.append(option);
  }
  select.addEventListener('change', () => {
    localStorage.setItem(LANG_KEY, select.value);
    location.reload();
  });
  return select;
}

/** Puts the switch into `#lang-slot` when the page has one. */
export function mountLanguageSwitch() {
  const slot = document.getElementById('lang-slot');
  if (slot && !document.getElementById('lang-switch')) slot.append(languageSwitch());
}

// ---- dates and times in the page's language -------------------------------------------------

/** `13.05` / `13:05`. */
export const formatTime = (at) => new Date(at).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
/** `4 Des 2026` / `4 Dec 2026`. */
export const formatDate = (at) => new Date(at).toLocaleDateString(locale(), { day: 'numeric', month: 'short', year: 'numeric' });
/** Date and time together. */
export const formatDateTime = (at) => new Date(at).toLocaleString(locale(), {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
});
