// `/admin` and `/cashier` until their real pages exist: who is signed in, and a way out.
import { homeFor, requireStaff, signOut, staffApi } from './app.js';

const page = `/${document.body.dataset.page}`;
document.getElementById('sign-out').addEventListener('click', signOut);

if (requireStaff()) {
  staffApi('/auth/me').then((me) => {
    document.getElementById('who').textContent = `${me.username} (${me.role})`;
    document.body.dataset.role = me.role;
    if (homeFor(me.role) !== page && !(page === '/cashier' && me.role !== 'KITCHEN')) {
      const note = document.getElementById('role-note');
      note.textContent = `This page is not meant for the ${me.role} role; your page is ${homeFor(me.role)}.`;
      note.hidden = false;
    }
  }).catch(() => {});
}
