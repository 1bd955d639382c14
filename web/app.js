// Kedai's shared browser code: the API client, the staff sign-in kept in localStorage,
// money formatting, a tiny DOM builder, the live event socket and the kitchen beep.
// Plain ES module, no build step, nothing loaded from outside this server.
import { has, lang, loadLanguage, mountLanguageSwitch, t } from './i18n.js';

const TOKEN_KEY = 'kedai.token';
const EXPIRES_KEY = 'kedai.expires_at';
const USER_KEY = 'kedai.user';

/** A failed API call: `status` is the HTTP status (0 when the server could not be reached),
 *  `code` the problem's stable code (e.g. `TABLE_NOT_OPEN`), `message` its detail. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || (status ? `HTTP ${status}` : 'cannot reach the server'));
    this.status = status;
    this.code = (problem && problem.code) || (status ? `HTTP_${status}` : 'NETWORK');
    this.problem = problem;
  }
}

/** Calls `/api/v1<path>` and resolves to the JSON body (null when empty); throws `ApiError`. */
export async function api(path, { method = 'GET', body, token, headers = {} } = {}) {
  const sent = { Accept: 'application/json', ...headers };
  if (token) sent.Authorization = `Bearer ${token}`;
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Every page of a `{items, next_cursor}` list. */
export async function apiAll(path, options) {
  const items = [];
  let cursor = null;
  const sep = path.includes('?') ? '&' : '?';
  for (let pages = 0; pages < 50; pages++) {
    const page = await api(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, options);
    items.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items;
}

// ---- staff sign-in -------------------------------------------------------------------------

/** The signed-in staff member, kept in localStorage until the token expires. */
export const staff = {
  save(login) {
    localStorage.setItem(TOKEN_KEY, login.access_token);
    localStorage.setItem(EXPIRES_KEY, login.expires_at);
    localStorage.setItem(USER_KEY, JSON.stringify(login.user));
  },
  /** The token, or null when there is none or it has (almost) expired. */
  token() {
    const token = localStorage.getItem(TOKEN_KEY);
    const expires = Date.parse(localStorage.getItem(EXPIRES_KEY) || '');
    if (!token || !(expires > Date.now() + 5000)) return null;
    return token;
  },
  expiresAt() {
    return Date.parse(localStorage.getItem(EXPIRES_KEY) || '') || 0;
  },
  user() {
    try { return JSON.parse(localStorage.getItem(USER_KEY) || 'null'); } catch { return null; }
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(EXPIRES_KEY);
    localStorage.removeItem(USER_KEY);
  },
};

/** The page each role starts on. */
export function homeFor(role) {
  switch (role) {
    case 'OWNER':
    case 'MANAGER':
      return '/admin';
    case 'KITCHEN':
      return '/kitchen';
    default:
      return '/cashier';
  }
}

/** Back to the sign-in page, remembering where we were (`expired` explains why). */
export function toLogin(expired = false) {
  const before = staff.user();
  staff.clear();
  if (tablet.get() && LOCKABLE_PAGES.includes(location.pathname)) {
    lockScreen(before);
    return;
  }
  const next = location.pathname === '/' ? '' : `next=${encodeURIComponent(location.pathname)}`;
  const why = expired ? 'expired=1' : '';
  const query = [next, why].filter(Boolean).join('&');
  location.replace(query ? `/?${query}` : '/');
}

export function signOut() {
  staff.clear();
  location.assign('/');
}

/** For staff pages: the token, or a trip to the sign-in page. Also signs out at expiry. */
export function requireStaff() {
  const token = staff.token();
  if (!token) {
    toLogin(Boolean(localStorage.getItem(TOKEN_KEY)));
    return null;
  }
  const left = staff.expiresAt() - Date.now();
  setTimeout(() => toLogin(true), Math.min(Math.max(left, 0), 2 ** 31 - 1));
  return token;
}

/**
 * `api` with the staff token; a 401 (expired, signed out elsewhere) returns to sign-in. A
 * `403 APPROVAL_REQUIRED` on an enrolled tablet asks for a manager's PIN in place and sends
 * the request again with the approval; `approvalOrder` names the order when the path does
 * not (a refund is addressed by its payment).
 */
export async function staffApi(path, options = {}) {
  try {
    return await api(path, { ...options, token: staff.token() });
  } catch (err) {
    if (err.status === 401) toLogin(true);
    if (err.code === 'APPROVAL_REQUIRED' && !options.approved) {
      const wanted = approvalFor(path, options);
      const approval = wanted && await askApproval(wanted, err);
      if (approval) {
        const headers = { ...(options.headers || {}), 'X-Approval': approval };
        return staffApi(path, { ...options, headers, approved: true });
      }
    }
    throw err;
  }
}

/** Starts a staff page: the token (or a trip to sign-in), the sign-out button, `#who`, and
 *  who is signed in. A role not in `roles` is sent to its own page (resolves to null). */
export async function staffPage(roles, { autoLock = false } = {}) {
  await loadLanguage();
  mountLanguageSwitch();
  // An enrolled tablet opens on its lock screen: staff tiles and a PIN pad.
  const device = tablet.get();
  if (device && LOCKABLE_PAGES.includes(location.pathname) && !staff.token()) await lockScreen();
  if (!requireStaff()) return null;
  const out = document.getElementById('sign-out');
  if (out) out.addEventListener('click', signOut);
  const me = await staffApi('/auth/me');
  if (!roles.includes(me.role)) {
    location.replace(homeFor(me.role));
    return null;
  }
  const who = document.getElementById('who');
  if (who) who.textContent = `${me.username} (${t(`role.${me.role}`)})`;
  document.body.dataset.role = me.role;
  if (device && LOCKABLE_PAGES.includes(location.pathname)) tabletControls(out, autoLock);
  return me;
}

/** A staff GET of a file (QR image, CSV export) as a Blob; throws `ApiError`. */
export async function staffBlob(path, { accept = '*/*' } = {}) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      headers: { Accept: accept, Authorization: `Bearer ${staff.token()}` },
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { problem = null; }
    if (response.status === 401) toLogin(true);
    throw new ApiError(response.status, problem);
  }
  return response.blob();
}

/** Fills `img` with a table's QR code (fetched with the staff token, shown from a blob URL). */
export async function showTableQr(img, tableId) {
  const blob = await staffBlob(`/tables/${tableId}/qr.svg`, { accept: 'image/svg+xml' });
  if (img.src && img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(blob);
  await img.decode().catch(() => {});
}

/** Saves a Blob as a download named `filename` (through a temporary blob link). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** `apiAll` with the staff token; a 401 returns to sign-in. */
export async function staffAll(path) {
  try {
    return await apiAll(path, { token: staff.token() });
  } catch (err) {
    if (err.status === 401) toLogin(true);
    throw err;
  }
}

// ---- shared tablets: lock screen, PIN pad, manager approvals -------------------------------

const DEVICE_KEY = 'kedai.device';
/** The pages an enrolled tablet locks; /admin always asks for a password. */
const LOCKABLE_PAGES = ['/cashier', '/kitchen'];
const MANAGERS = ['MANAGER', 'OWNER'];

/** This browser's tablet enrolment `{id, name, secret, outlet_name, auto_lock_minutes,
 *  staff}`, set on /admin with "Use this browser as this tablet". */
export const tablet = {
  get() {
    try {
      const device = JSON.parse(localStorage.getItem(DEVICE_KEY) || 'null');
      return device && device.secret ? device : null;
    } catch {
      return null;
    }
  },
  save(device) { localStorage.setItem(DEVICE_KEY, JSON.stringify(device)); },
  forget() { localStorage.removeItem(DEVICE_KEY); },
  /** The lock screen's facts from the server (outlet, who has a PIN), remembered. */
  async refresh() {
    const device = this.get();
    const screen = await api('/auth/device', { method: 'POST', body: { device_secret: device.secret } });
    const fresh = {
      ...device,
      id: screen.device.id,
      name: screen.device.name,
      outlet_name: screen.outlet_name,
      auto_lock_minutes: screen.auto_lock_minutes,
      staff: screen.staff,
    };
    this.save(fresh);
    return fresh;
  },
};

/** A PIN field with a 3×4 keypad (big keys for fingers); `submit(pin)` on OK or Enter. */
function pinPad(id, label, submit) {
  const input = h('input', {
    id, type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: '8',
    pattern: '[0-9]*', class: 'pin-input', 'aria-label': label,
  });
  const press = (key) => {
    if (key === 'back') input.value = input.value.slice(0, -1);
    else if (key === 'ok') submit(input.value);
    else if (input.value.length < 8) input.value += key;
    input.focus();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit(input.value);
    }
  });
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'back', '0', 'ok'];
  const pad = h('div', { class: 'pin-keys' }, keys.map((key) => h('button', {
    type: 'button',
    class: key === 'ok' ? 'primary' : '',
    dataset: { key },
    'aria-label': key === 'back' ? t('lock.delete') : undefined,
    onclick: () => press(key),
  }, key === 'back' ? '⌫' : key === 'ok' ? 'OK' : key)));
  return { input, element: h('div', { class: 'pin-pad' }, input, pad) };
}

/** What a refused PIN means for a person. */
function pinProblem(err) {
  if (err.status === 401) return t('lock.wrong_pin');
  if (err.status === 429) return t('lock.too_many');
  if (err.code === 'DEVICE_LOCKED') return t('lock.device_locked');
  return problemText(err);
}

let locking = null; // the lock screen's promise while it is shown

/**
 * Covers the page with the tablet's lock screen until someone signs in by PIN (resolves to
 * the sign-in). Whoever signs in, the page goes on as them: the same person where they left
 * it, someone else on a fresh load of the page.
 */
export function lockScreen(before = staff.user()) {
  if (locking) return locking;
  // Open sheets (payment, void) would stay above the lock screen: they close first.
  for (const open of document.querySelectorAll('dialog[open]')) open.close();
  const screen = h('div', { id: 'lock-screen', class: 'lock-screen', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'lock-title' });
  document.body.append(screen);
  document.body.dataset.locked = '1';
  locking = new Promise((resolve) => {
    const done = (login) => {
      staff.save(login);
      screen.remove();
      delete document.body.dataset.locked;
      locking = null;
      if (before && before.id !== login.user.id && document.body.dataset.ready) location.reload();
      resolve(login);
    };
    showTiles(screen, done);
  });
  return locking;
}

async function showTiles(screen, done) {
  let device = tablet.get();
  const message = h('p', { id: 'lock-message', class: 'error', role: 'alert', hidden: true });
  const passwordLink = h('a', { href: `/?next=${encodeURIComponent(location.pathname)}`, class: 'hint' }, t('lock.password_instead'));
  try {
    device = await tablet.refresh();
  } catch (err) {
    const gone = err.status === 401;
    message.textContent = gone
      ? t('lock.revoked')
      : pinProblem(err);
    message.hidden = false;
    if (gone) tablet.forget();
    screen.replaceChildren(h('div', { class: 'lock-box' },
      h('h2', { id: 'lock-title' }, device.name || t('lock.tablet')), message,
      gone ? null : h('button', { type: 'button', class: 'primary', onclick: () => showTiles(screen, done) }, t('common.try_again')),
      passwordLink));
    return;
  }
  const tiles = device.staff.map((person) => h('button', {
    type: 'button',
    class: 'staff-tile',
    dataset: { username: person.username },
    onclick: () => showPin(screen, device, person, done),
  }, h('strong', {}, person.username), h('span', { class: 'hint' }, t(`role.${person.role}`))));
  screen.replaceChildren(h('div', { class: 'lock-box' },
    h('h2', { id: 'lock-title' }, `${device.outlet_name} · ${device.name}`),
    h('p', {}, tiles.length ? t('lock.who') : t('lock.nobody')),
    h('div', { class: 'staff-tiles' }, tiles),
    passwordLink));
}

function showPin(screen, device, person, done) {
  const message = h('p', { id: 'lock-message', class: 'error', role: 'alert', hidden: true });
  const pad = pinPad('lock-pin', t('lock.pin_of', { name: person.username }), async (pin) => {
    if (!/^\d{4,8}$/.test(pin)) {
      message.textContent = t('lock.pin_format');
      message.hidden = false;
      return;
    }
    try {
      const login = await api('/auth/pin', {
        method: 'POST',
        body: { device_secret: device.secret, username: person.username, pin },
      });
      done(login);
    } catch (err) {
      pad.input.value = '';
      message.textContent = pinProblem(err);
      message.hidden = false;
      if (err.code === 'DEVICE_LOCKED' || err.status === 0) return;
      if (err.status !== 401 && err.status !== 429) showTiles(screen, done);
    }
  });
  screen.replaceChildren(h('div', { class: 'lock-box' },
    h('h2', { id: 'lock-title' }, person.username),
    h('p', { class: 'hint' }, t('lock.type_pin')),
    pad.element, message,
    h('button', { type: 'button', class: 'ghost', id: 'lock-back', onclick: () => showTiles(screen, done) }, t('lock.someone_else'))));
  pad.input.focus();
}

/** The "Switch user" button beside Sign out, and locking after the outlet's idle minutes. */
function tabletControls(signOutButton, autoLock) {
  if (signOutButton && !document.getElementById('switch-user')) {
    signOutButton.before(h('button', { id: 'switch-user', type: 'button', class: 'ghost', onclick: () => toLogin() }, t('lock.switch_user')));
  }
  if (!autoLock) return;
  let lastActive = Date.now();
  for (const kind of ['pointerdown', 'keydown']) {
    document.addEventListener(kind, () => { lastActive = Date.now(); }, { capture: true, passive: true });
  }
  setInterval(() => {
    const minutes = (tablet.get() || {}).auto_lock_minutes;
    if (minutes > 0 && !locking && Date.now() - lastActive > minutes * 60000) toLogin();
  }, 5000);
}


/** Which approval a refused request needs: `{action, order_id}`, or null for none we know. */
function approvalFor(path, options) {
  const order = path.match(/^\/orders\/([0-9a-f-]{36})\/(items\/[0-9a-f-]{36}\/void|discounts)/);
  if (order) return { action: order[2] === 'discounts' ? 'DISCOUNT' : 'VOID_ITEM', order_id: order[1] };
  if (/^\/payments\/[0-9a-f-]{36}\/refund$/.test(path)) return { action: 'REFUND', order_id: options.approvalOrder || null };
  if (/^\/printers\/[0-9a-f-]{36}\/open-drawer$/.test(path)) return { action: 'OPEN_DRAWER', order_id: null };
  return null;
}

/**
 * The manager's approval on this tablet: a dialog over whatever asked for it, with the
 * managers who have a PIN here and a PIN pad. Resolves to the approval token, or null when
 * cancelled (or this is no enrolled tablet: approvals need a PIN sign-in).
 */
function askApproval(wanted, refusal) {
  const device = tablet.get();
  if (!device) return Promise.resolve(null);
  const managers = (device.staff || []).filter((person) => MANAGERS.includes(person.role));
  return new Promise((resolve) => {
    const message = h('p', { id: 'approval-message', class: 'error', role: 'alert', hidden: true });
    const say = (text) => { message.textContent = text; message.hidden = false; };
    let chosen = managers.length === 1 ? managers[0].username : null;
    const pick = h('div', { class: 'staff-tiles' }, managers.map((person) => h('button', {
      type: 'button',
      class: 'staff-tile',
      dataset: { username: person.username },
      'aria-pressed': String(person.username === chosen),
      onclick: (e) => {
        chosen = person.username;
        for (const tile of pick.children) tile.setAttribute('aria-pressed', String(tile === e.currentTarget));
        pad.input.focus();
      },
    }, h('strong', {}, person.username), h('span', { class: 'hint' }, t(`role.${person.role}`)))));
    const pad = pinPad('approval-pin', t('approval.pin'), async (pin) => {
      if (!chosen) return say(t('approval.choose'));
      if (!/^\d{4,8}$/.test(pin)) return say(t('lock.pin_format'));
      try {
        const granted = await api('/approvals', {
          method: 'POST', token: staff.token(), body: { ...wanted, username: chosen, pin },
        });
        finish(granted.approval_token);
      } catch (err) {
        pad.input.value = '';
        say(pinProblem(err));
      }
    });
    const dialog = h('dialog', { id: 'approval-dialog', class: 'sheet', 'aria-labelledby': 'approval-title' },
      h('h2', { id: 'approval-title' }, t('approval.title')),
      h('p', { class: 'hint' }, wanted.action === 'DISCOUNT' && lang() === 'en' ? refusal.message : t(`approval.why.${wanted.action}`)),
      managers.length ? pick : h('p', {}, t('approval.no_manager')),
      managers.length ? pad.element : null,
      message,
      h('button', { type: 'button', id: 'approval-cancel', class: 'ghost wide', onclick: () => finish(null) }, t('common.cancel')));
    let settled = false;
    const finish = (token) => {
      if (settled) return;
      settled = true;
      dialog.close();
      dialog.remove();
      resolve(token);
    };
    dialog.addEventListener('cancel', () => finish(null));
    document.body.append(dialog);
    dialog.showModal();
    if (managers.length) pad.input.focus();
  });
}

// ---- the outlet a kitchen or till works on -------------------------------------------------

const OUTLET_KEY = 'kedai.outlet';

/**
 * The outlet the kitchen or cashier page works on, or null when there is none yet.
 *
 * A staff account bound to an outlet gets its own, and no picker. An OWNER without one (sees
 * every outlet) gets the `?outlet=<id>` of the address when it names one of them, else the
 * last one chosen on this device, else the first. With two or more outlets the header's
 * `#outlet-picker` (inside `#outlet-choice`, hidden until then) lists them; choosing another
 * remembers it and reloads the page on it, which starts its socket and state afresh.
 */
export async function chooseOutlet(me) {
  if (me.outlet_id) return staffApi(`/outlets/${me.outlet_id}`);
  const outlets = await staffAll('/outlets');
  if (!outlets.length) return null;
  const listed = (id) => Boolean(id) && outlets.some((outlet) => outlet.id === id);
  const asked = new URLSearchParams(location.search).get('outlet');
  let id;
  if (listed(asked)) {
    id = asked;
    localStorage.setItem(OUTLET_KEY, id); // a bookmarked address counts as a choice
  } else {
    const remembered = localStorage.getItem(OUTLET_KEY);
    id = listed(remembered) ? remembered : outlets[0].id;
  }

  const picker = document.getElementById('outlet-picker');
  const choice = document.getElementById('outlet-choice');
  if (picker && outlets.length > 1) {
    picker.replaceChildren(...outlets.map((outlet) => h('option', { value: outlet.id }, outlet.name)));
    picker.value = id;
    picker.addEventListener('change', () => {
      if (!listed(picker.value) || picker.value === id) return;
      localStorage.setItem(OUTLET_KEY, picker.value);
      const query = new URLSearchParams(location.search);
      query.set('outlet', picker.value);
      location.search = `?${query}`;
    });
    if (choice) choice.hidden = false;
  }
  return outlets.find((outlet) => outlet.id === id);
}

// ---- a menu product with chosen options -----------------------------------------------------

/** The chosen options of a menu product (with `modifier_groups`) in menu order. */
function chosen(product, optionIds) {
  return (product.modifier_groups || []).flatMap((group) => group.options)
    .filter((option) => optionIds.includes(option.id));
}

/** The product's price with the chosen options' deltas. */
export function unitPrice(product, optionIds) {
  return chosen(product, optionIds).reduce((price, option) => price + option.price_delta, product.price);
}

/** The chosen options' names. */
export function optionNames(product, optionIds) {
  return chosen(product, optionIds).map((option) => option.name);
}

// ---- money ---------------------------------------------------------------------------------

/** Integer minor units → display: `formatMoney(150000, 'IDR')` is `Rp150.000`. */
export function formatMoney(amount, currency = 'IDR') {
  const value = Math.trunc(Number(amount) || 0);
  if (!currency || currency === 'IDR') {
    const grouped = String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    return `${value < 0 ? '-' : ''}Rp${grouped}`;
  }
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    return format.format(value / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${currency} ${value}`;
  }
}

/** Digits after the decimal point of a currency's minor unit (IDR amounts are whole rupiah). */
export function fractionDigits(currency = 'IDR') {
  if (!currency || currency === 'IDR') return 0;
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 0;
  }
}

/** What a person typed → integer minor units, or null when it is not an amount. For IDR dots
 *  and spaces group thousands (`200.000`); otherwise a decimal point is allowed (`12.50`). */
export function parseMoney(text, currency = 'IDR') {
  const digits = fractionDigits(currency);
  const clean = String(text || '').trim().replace(/^Rp/i, '').replace(/[\s,_]/g, '');
  if (!clean) return null;
  if (digits === 0) {
    if (!/^\d{1,3}(\.\d{3})*$|^\d+$/.test(clean)) return null;
    return Number(clean.replace(/\./g, ''));
  }
  if (!/^\d+(\.\d*)?$/.test(clean)) return null;
  return Math.round(Number(clean) * 10 ** digits);
}

/** Minor units → the plain number an input shows (`150000`, `12.50`). */
export function moneyInput(amount, currency = 'IDR') {
  const digits = fractionDigits(currency);
  return digits ? (Number(amount) / 10 ** digits).toFixed(digits) : String(Math.trunc(Number(amount) || 0));
}

/** Basis points ↔ the percent a person reads and types (`1100` ↔ `11`). */
export const bpToPercent = (bp) => String(Number(bp || 0) / 100);
export function percentToBp(text) {
  const value = Number(String(text || '0').replace(',', '.').replace('%', '').trim() || '0');
  return Number.isFinite(value) ? Math.round(value * 100) : null;
}

/** `round_half_up(amount × bp / 10000)` exactly as the server computes it. */
export function basisPoints(amount, bp) {
  if (!bp) return 0;
  return Number((BigInt(amount) * BigInt(bp) + 5000n) / 10000n);
}

// ---- small helpers -------------------------------------------------------------------------

/** A random UUID v4. `crypto.randomUUID` exists only on https/localhost; a shop LAN is http. */
export function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `send` (a request with an Idempotency-Key) up to `attempts` times, retrying only what
 * may not have reached the server — a lost connection, a busy or restarting server, or the
 * same request still in flight; the key makes each retry safe.
 */
export async function retryTransient(send, attempts) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const transient = err.status === 0 || err.status >= 502 || err.code === 'REQUEST_IN_FLIGHT';
      if (!transient || attempt >= attempts) throw err;
      await sleep(500 * attempt);
    }
  }
}

/** Builds an element. Text is always set as text (never parsed as HTML): names and notes
 *  come from users. `on<event>` props become listeners, `dataset` fills data-attributes,
 *  `true`/`false` add or leave out a boolean attribute. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Like `parent.replaceChildren(...nodes)`, but a child that looks the same as its new version
 *  stays: a live update that changes one table must not swap the button under a finger that is
 *  pressing another (a press and a release on two different nodes are no click). */
export function replaceChanged(parent, nodes) {
  nodes.forEach((node, i) => {
    const old = parent.children[i];
    if (!old) parent.append(node);
    else if (!old.isEqualNode(node)) old.replaceWith(node);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

// The SVG namespace, taken from a parsed element (so no page mentions an outside address).
const SVG_NS = (() => {
  const holder = document.createElement('template');
  holder.innerHTML = '<svg></svg>';
  return holder.content.firstChild.namespaceURI;
})();

/** Like `h`, for SVG elements (charts): attributes only, text children as text. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** The text of an error for a person: in Indonesian the words for its problem `code`, in
 *  English the server's own detail; a page's own `Error` as it is. */
export function problemText(err) {
  if (!err) return t('error.UNKNOWN');
  if (err.status === 0) return t('error.NETWORK');
  if (err instanceof ApiError && lang() !== 'en' && has(`error.${err.code}`)) return t(`error.${err.code}`);
  return err.message || String(err);
}

/** Shows a short message in the page's `#toast` live region. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  if (!box) return;
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

// ---- printers ------------------------------------------------------------------------------

/** A print request's problem for a person; NO_PRINTER says where printers are set up. */
export function printProblemText(err) {
  if (err && err.code === 'NO_PRINTER') {
    return t('common.no_receipt_printer');
  }
  return problemText(err);
}

/** `POST path` of a print (bill, receipt, drawer, test page): a toast says "Sent to printer"
 *  once the queue has it, or the problem; so does `note` (a line in an open dialog, which
 *  would cover the toast). Resolves to the queued job, or null. */
export async function sendToPrinter(path, body, { note = null } = {}) {
  const say = (text, kind) => {
    toast(text, kind);
    if (!note) return;
    note.textContent = text;
    note.dataset.kind = kind;
    note.classList.toggle('error', kind === 'error');
    note.hidden = false;
  };
  try {
    const job = await staffApi(path, { method: 'POST', body });
    say(t('common.sent_to_printer'), 'info');
    return job;
  } catch (err) {
    if (err.status !== 401) say(printProblemText(err), 'error');
    return null;
  }
}

/** Statuses that need no one's attention: fine, or never tried yet. */
const PRINTER_FINE = ['OK', 'UNKNOWN'];

/**
 * An outlet's active printers and their last status, for the banner of the staff pages:
 * "Printer Bar: PAPER_OUT — 3 not printed" for each one that is not OK, hidden when all are.
 * `load()` reads them (and, for those in trouble, their unprinted jobs); `onFrame(frame)`
 * follows `PRINTER_STATUS` frames.
 */
export class PrinterWatch {
  constructor(outletId, banner) {
    this.outletId = outletId;
    this.banner = banner;
    this.printers = new Map(); // id → {id, name, kind, status, error, unprinted}
  }

  async load() {
    const printers = await staffApi(`/outlets/${this.outletId}/printers`);
    this.printers = new Map(printers.filter((p) => p.active).map((p) => [p.id, {
      id: p.id, name: p.name, kind: p.kind, status: p.status, error: null, unprinted: 0,
    }]));
    if (this.troubled().length) {
      const lists = await Promise.all(['QUEUED', 'FAILED'].map((status) => staffApi(
        `/print-jobs?outlet_id=${this.outletId}&status=${status}&limit=200`,
      )));
      for (const job of lists.flat()) {
        const printer = this.printers.get(job.printer_id);
        if (printer) printer.unprinted += 1;
      }
    }
    this.render();
  }

  /** While a printer is in trouble, reads them all again every `ms`: a printer switched off or
   *  removed on /admin sends no frame, and the counts of unprinted jobs move. */
  watch(ms = 30000) {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.troubled().length && document.visibilityState === 'visible') this.load().catch(() => {});
    }, ms);
    return this;
  }

  /** Takes a `PRINTER_STATUS` frame (true), or ignores any other (false). */
  onFrame(frame) {
    if (frame.type !== 'PRINTER_STATUS' || !frame.payload) return false;
    const p = frame.payload;
    this.printers.set(p.id, {
      id: p.id, name: p.name, kind: p.kind, status: p.status, error: p.error || null, unprinted: p.unprinted || 0,
    });
    this.render();
    return true;
  }

  troubled() {
    return [...this.printers.values()].filter((p) => !PRINTER_FINE.includes(p.status));
  }

  /** The outlet's first active RECEIPT printer (they are listed oldest first), or null. */
  firstReceipt() {
    return [...this.printers.values()].find((p) => p.kind === 'RECEIPT') || null;
  }

  render() {
    if (!this.banner) return;
    const troubled = this.troubled();
    this.banner.replaceChildren(...troubled.map((p) => h('p', {
      class: 'printer-problem',
      dataset: { printerId: p.id, status: p.status },
      title: p.error || undefined,
    }, t(p.unprinted ? 'common.printer_problem_unprinted' : 'common.printer_problem', {
      name: p.name, status: t(`printer_status.${p.status}`), count: p.unprinted,
    }))));
    this.banner.hidden = !troubled.length;
  }
}

// ---- live events ---------------------------------------------------------------------------

/**
 * The WebSocket at `/api/v1/ws`, kept open: after a drop it reconnects with backoff and
 * resumes with `since=<last event id>`, so no event is lost or repeated. While it is down,
 * `<body data-live="reconnecting">` shows the page's "reconnecting…" banner.
 *
 * - `onFrame(frame)`: each event `{id, type, outlet_id, table_session_id, at, payload}`.
 * - `onOpen({resumed})`: connected; `resumed` is false when the page must load its state
 *   afresh (first connection, or no event seen yet). Also called after `RESYNC_REQUIRED`.
 * - `canReconnect()`: async check before each retry; false stops for good (e.g. token gone).
 */
export class Live {
  constructor({ token, query = {}, onFrame, onOpen, canReconnect }) {
    this.token = token;
    this.query = query;
    this.onFrame = onFrame || (() => {});
    this.onOpen = onOpen || (() => {});
    this.canReconnect = canReconnect || (async () => true);
    this.lastId = null;
    this.socket = null;
    this.failures = 0;
    this.stopped = false;
    this.timer = null;
    this.heartbeat = null;
    // The device lost its network: the socket is as good as gone (TCP may take minutes to
    // notice); once it is back, reconnect at once instead of waiting out the backoff.
    window.addEventListener('offline', () => { if (this.socket) this.lost(); });
    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
  }

  start() {
    this.setState('connecting');
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.drop();
    this.setState('stopped');
  }

  setState(state) {
    this.state = state;
    document.body.dataset.live = state;
  }

  connect() {
    if (this.stopped) return;
    const params = new URLSearchParams({ token: this.token, ...this.query });
    const resumed = this.lastId !== null;
    if (resumed) params.set('since', String(this.lastId));
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/ws?${params}`);
    this.socket = socket;
    let heard = Date.now();
    socket.onopen = () => {
      this.failures = 0;
      this.setState('live');
      // The server pings at the protocol level, which scripts cannot see; our own ping
      // notices a dead link (Wi-Fi gone) long before TCP would.
      this.heartbeat = setInterval(() => {
        if (Date.now() - heard > 45000) {
          this.lost();
        } else if (socket.readyState === WebSocket.OPEN) {
          socket.send('{"type":"ping"}');
        }
      }, 20000);
      this.onOpen({ resumed });
    };
    socket.onmessage = (message) => {
      heard = Date.now();
      let frame;
      try { frame = JSON.parse(message.data); } catch { return; }
      if (frame.type === 'pong') return;
      if (frame.type === 'RESYNC_REQUIRED') {
        this.lastId = null;
        this.onOpen({ resumed: false });
        return;
      }
      if (typeof frame.id === 'number') {
        if (this.lastId !== null && frame.id <= this.lastId) return;
        this.lastId = frame.id;
      }
      this.onFrame(frame);
    };
    socket.onclose = () => {
      if (this.socket === socket) this.lost();
    };
  }

  /** The socket is gone: forget it and try again later. */
  lost() {
    this.drop();
    if (this.stopped) return;
    this.setState('reconnecting');
    this.failures += 1;
    const delay = Math.min(10000, 500 * 2 ** Math.min(this.failures - 1, 5));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.retry(), delay * (0.75 + Math.random() / 2));
  }

  drop() {
    clearInterval(this.heartbeat);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      try { socket.close(); } catch { /* already closed */ }
    }
  }

  async retry() {
    if (this.stopped || this.socket) return;
    if (navigator.onLine === false) {
      this.lost(); // wait for the `online` event (or the next backoff step)
      return;
    }
    let go = true;
    try { go = await this.canReconnect(); } catch { go = true; }
    if (!go) {
      this.stop();
      return;
    }
    this.connect();
  }

  retryNow() {
    if (this.stopped || this.socket || this.state !== 'reconnecting') return;
    clearTimeout(this.timer);
    this.retry();
  }
}

// ---- sound ---------------------------------------------------------------------------------

let audio = null;

/** Lets the page make sound later: browsers allow audio only after a tap or a key. */
export function unlockAudio() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === 'suspended') audio.resume();
  } catch { /* no Web Audio: stay silent */ }
}

/** Whether sound will actually play (the page has been tapped since it loaded). */
export function audioReady() {
  return Boolean(audio && audio.state === 'running');
}

/** A short two-tone chime made with Web Audio: no sound files needed. */
export function beep() {
  try {
    audio = audio || new AudioContext();
    const start = audio.currentTime + 0.01;
    [880, 1320].forEach((frequency, i) => {
      const at = start + i * 0.18;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = 'sine';
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.17);
    });
  } catch { /* no Web Audio: stay silent */ }
}
