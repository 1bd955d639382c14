// `/`: staff sign-in, and the first-run form that creates the owner account.
import { api, homeFor, staff } from './app.js';

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
  if (err.status === 401) return 'Wrong username or password.';
  if (err.status === 429) return `Too many attempts. ${err.message}`;
  if (err.status === 0) return 'Cannot reach the Kedai server. Check the Wi-Fi and try again.';
  return err.message;
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('login-username').value.trim();
  const password = $('login-password').value;
  if (!username || !password) {
    showError('login-error', 'Enter your username and password.');
    return;
  }
  showError('login-error', '');
  busy($('login-submit'), true, 'Signing in…');
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
  if (username.length < 3) return showError('setup-error', 'The username needs at least 3 characters.');
  if (password.length < 8) return showError('setup-error', 'The password needs at least 8 characters.');
  if (password !== $('setup-confirm').value) return showError('setup-error', 'The two passwords differ.');
  showError('setup-error', '');
  busy($('setup-submit'), true, 'Creating…');
  try {
    await api('/auth/register', { method: 'POST', body: { username, password } });
  } catch (err) {
    busy($('setup-submit'), false);
    if (err.status === 401 || err.status === 403) {
      showError('setup-error', 'Setup is already done: an owner account exists. Sign in above, or ask the owner for an account.');
    } else if (err.status === 0) {
      showError('setup-error', 'Cannot reach the Kedai server. Try again.');
    } else {
      showError('setup-error', err.message);
    }
    return;
  }
  try {
    await signIn(username, password);
  } catch (err) {
    busy($('setup-submit'), false);
    showError('setup-error', `The owner was created, but signing in failed: ${loginMessage(err)}`);
  }
});

// Already signed in on this device? Go straight to work.
async function resume() {
  if (params.get('expired')) {
    const notice = $('login-notice');
    notice.textContent = 'Your session ended. Please sign in again.';
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

resume();
