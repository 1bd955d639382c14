// `/`: staff sign-in; on a fresh install (no account yet) the page opens on the form that
// creates the owner account instead, and once an owner exists that form is gone.
import { api, homeFor, problemText, staff } from './app.js';
import { loadLanguage, mountLanguageSwitch, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** Where to go after signing in: a `?next=` page of this site, else the role's home. */
function destination(role) {
  const next = params.get('next') || '';
  const allowed = ['/kitchen', '/admin', '/cashier'];
  return allowed.includes(next) ? next : homeFor(role);
}

function showError(id, message) {
  const box = $(id);
  box.textContent = message;
  box.hidden = !message;
}

function busy(button, on, label) {
  button.disabled = on;
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = label;
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
}

async function signIn(username, password) {
  const login = await api('/auth/login', { method: 'POST', body: { username, password } });
  staff.save(login);
  location.replace(destination(login.user.role));
}

function loginMessage(err) {
  if (err.status === 401) return t('login.wrong');
  if (err.status === 429) return t('login.too_many');
  return problemText(err); // no connection: error.NETWORK
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('login-username').value.trim();
  const password = $('login-password').value;
  if (!username || !password) {
    showError('login-error', t('login.missing'));
    return;
  }
  showError('login-error', '');
  busy($('login-submit'), true, t('login.signing_in'));
  try {
    await signIn(username, password);
  } catch (err) {
    showError('login-error', loginMessage(err));
    busy($('login-submit'), false);
  }
});

$('setup-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('setup-username').value.trim().toLowerCase();
  const password = $('setup-password').value;
  if (username.length < 3) return showError('setup-error', t('login.setup_username_short'));
  if (password.length < 8) return showError('setup-error', t('login.setup_password_short'));
  if (password !== $('setup-confirm').value) return showError('setup-error', t('login.setup_mismatch'));
  showError('setup-error', '');
  busy($('setup-submit'), true, t('login.setup_creating'));
  try {
    await api('/auth/register', { method: 'POST', body: { username, password } });
  } catch (err) {
    busy($('setup-submit'), false);
    if (err.status === 401 || err.status === 403) {
      // Someone else created the owner meanwhile: signing in is what is left.
      showError('setup-error', t('login.setup_done'));
      $('login-card').hidden = false;
    } else if (err.status === 0) {
      showError('setup-error', t('login.setup_offline'));
    } else {
      showError('setup-error', problemText(err));
    }
    return;
  }
  try {
    await signIn(username, password);
  } catch (err) {
    busy($('setup-submit'), false);
    showError('setup-error', t('login.setup_signin_failed', { detail: loginMessage(err) }));
  }
});

// Already signed in on this device? Go straight to work.
async function resume() {
  if (params.get('expired')) {
    const notice = $('login-notice');
    notice.textContent = t('login.expired');
    notice.hidden = false;
  }
  const token = staff.token();
  if (!token) {
    staff.clear();
    $('login-username').focus();
    return;
  }
  try {
    const me = await api('/auth/me', { token });
    location.replace(destination(me.role));
  } catch (err) {
    if (err.status === 401) staff.clear();
    $('login-username').focus();
  }
}

/** Whether this is a fresh install that still needs its owner (unknown: no). */
async function needsOwner() {
  try {
    const setup = await api('/setup');
    return Boolean(setup && setup.needs_owner);
  } catch {
    return false;
  }
}

/** First run: straight onto the owner form, the sign-in card out of the way. */
function showSetup() {
  $('login-card').hidden = true;
  $('setup').hidden = false;
  $('setup-username').focus();
}

async function main() {
  await loadLanguage();
  mountLanguageSwitch();
  if (await needsOwner()) {
    showSetup();
    return;
  }
  $('setup').remove();
  resume();
}

main();
