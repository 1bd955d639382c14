// The cashier's shift (cash drawer), in a panel the top bar's Shift button opens: open it with
// the float, pay in / pay out, close it with a cash count that shows expected cash and the
// difference as it is typed, then the Z report; "Open drawer" kicks the cash drawer open on the
// outlet's receipt printer without a sale. Waiters keep no drawer and never load this.
import {
  h, newKey, printProblemText, problemText, sendToPrinter, staffApi, toast,
} from './app.js';
import { formatTime, t } from './i18n.js';
import { $, amountOf, methodName, money, showError, state } from './cashier-core.js';

/** Shifts this page opened or closed; a read that left before the latest one is stale. */
let shiftChanges = 0;

export async function loadShift() {
  if (!state.drawer) return;
  const asked = shiftChanges;
  let shift = null;
  try {
    shift = await staffApi('/shifts/current');
  } catch (err) {
    if (err.status !== 404) throw err;
  }
  if (asked !== shiftChanges) return;
  state.shift = shift;
  state.report = null;
  if (state.shift) await loadReport();
  renderShift();
}

/** The open shift's report: expected cash moves with every cash payment. */
export async function loadReport() {
  if (!state.shift) return;
  try {
    state.report = await staffApi(`/shifts/${state.shift.id}/report`);
  } catch (err) {
    if (err.status !== 401) toast(t('cashier.could_not_read_shift', { problem: problemText(err) }), 'error');
  }
  renderDifference();
}

export function openShiftPanel() {
  $('open-drawer-note').hidden = true;
  if (!$('shift-dialog').open) $('shift-dialog').showModal();
  if (state.shift) loadReport();
  else $('start-cash').focus();
}

function renderShift() {
  const open = Boolean(state.shift);
  $('shift-open-form').hidden = open;
  $('shift-current').hidden = !open;
  document.body.dataset.shift = open ? 'open' : 'none';
  // The top bar says whether a drawer is open: cash payments need one.
  const button = $('shift-button');
  button.dataset.shift = open ? 'open' : 'none';
  button.textContent = open ? t('cashier.shift') : t('cashier.open_shift');
  if (open) {
    $('shift-info').textContent = t('cashier.shift_info', { time: formatTime(state.shift.opened_at), amount: money(state.shift.start_cash) });
  }
  renderDifference();
}

/** Expected cash and the difference to the count, live as it is typed. */
function renderDifference() {
  const expected = state.report ? state.report.expected_cash : null;
  $('close-expected').textContent = expected === null ? '…' : money(expected);
  const counted = amountOf('close-count');
  $('close-counted').textContent = counted === null ? '—' : money(counted);
  const diff = $('close-difference');
  if (counted === null || expected === null) {
    diff.textContent = '—';
    diff.className = 'total';
    return;
  }
  const difference = counted - expected;
  diff.textContent = difference > 0
    ? t('cashier.difference_over', { amount: `+${money(difference)}` })
    : difference < 0 ? t('cashier.difference_short', { amount: money(difference) }) : t('cashier.difference_exact', { amount: money(0) });
  diff.className = `total${difference < 0 ? ' negative' : ''}`;
}

async function openShift(event) {
  event.preventDefault();
  const start = amountOf('start-cash');
  const line = $('shift-open-error');
  line.hidden = true;
  if (start === null) return showError(line, t('cashier.enter_start_cash'));
  $('shift-open').disabled = true;
  try {
    state.shift = await staffApi('/shifts/open', {
      method: 'POST',
      body: { outlet_id: state.outlet.id, start_cash: start },
      headers: { 'Idempotency-Key': newKey() },
    });
    shiftChanges += 1;
    $('start-cash').value = '';
    $('zreport').hidden = true;
    await loadReport();
    renderShift();
    toast(t('cashier.shift_opened'));
  } catch (err) {
    showError(line, err);
  } finally {
    $('shift-open').disabled = false;
  }
  return null;
}

async function closeShift(event) {
  event.preventDefault();
  const counted = amountOf('close-count');
  const line = $('close-error');
  line.hidden = true;
  if (counted === null) return showError(line, t('cashier.enter_counted'));
  $('close-confirm').disabled = true;
  try {
    const closed = await staffApi('/shifts/close', {
      method: 'POST',
      body: { shift_id: state.shift.id, end_cash: counted, note: $('close-note').value.trim() || undefined },
      headers: { 'Idempotency-Key': newKey() },
    });
    shiftChanges += 1;
    const report = await staffApi(`/shifts/${closed.id}/report`).catch(() => null);
    state.shift = null;
    state.report = null;
    $('close-count').value = '';
    $('close-note').value = '';
    $('close-panel').open = false;
    renderShift();
    renderZReport(closed, report);
  } catch (err) {
    showError(line, err);
  } finally {
    $('close-confirm').disabled = false;
  }
  return null;
}

function renderZReport(shift, report) {
  // [field (stays English: tests and scripts read it), key of its words, amount]
  const rows = [
    ['Start cash', 'cashier.z.start_cash', shift.start_cash],
    ...(report ? [
      ['Cash payments', 'cashier.z.cash_payments', report.cash_payments],
      ['Cash refunds', 'cashier.z.cash_refunds', -report.cash_refunds],
      ['Pay-ins', 'cashier.z.pay_ins', report.pay_ins],
      ['Pay-outs', 'cashier.z.pay_outs', -report.pay_outs],
    ] : []),
    ['Expected cash', 'cashier.expected_cash', shift.expected_cash],
    ['Counted', 'cashier.counted', shift.end_cash],
    ['Difference', 'cashier.difference', shift.cash_difference],
  ];
  const methods = report ? report.payments_by_method : [];
  const box = $('zreport');
  // replaceChildren prints a null as "null": the optional parts are filtered out.
  box.replaceChildren(...[
    h('h3', {}, t('cashier.z.title')),
    h('dl', { class: 'bill' }, rows.map(([field, key, value]) => [
      h('dt', {}, t(key)),
      h('dd', { class: field === 'Difference' ? `total${value < 0 ? ' negative' : ''}` : '', dataset: { field } }, money(value)),
    ])),
    methods.length ? h('h4', {}, t('cashier.z.by_method')) : null,
    methods.length ? h('dl', { class: 'bill' }, methods.map((m) => [
      h('dt', {}, t('cashier.z.method_count', { method: methodName(m.method), count: m.count })), h('dd', {}, money(m.amount)),
    ])) : null,
    report && report.voids.length ? h('p', {}, t('cashier.z.voided_orders', { count: report.voids.length })) : null,
    report && report.corrections && report.corrections.length
      ? h('p', {}, t('cashier.z.corrections', { count: report.corrections.length })) : null,
  ].filter(Boolean));
  box.hidden = false;
}

async function recordMovement(event) {
  event.preventDefault();
  const amount = amountOf('movement-amount');
  const line = $('movement-error');
  line.hidden = true;
  if (!amount) return showError(line, t('cashier.enter_amount'));
  const reason = $('movement-reason').value.trim();
  if (!reason) return showError(line, t('cashier.say_why_cash_moves'));
  $('movement-submit').disabled = true;
  try {
    const kind = $('movement-kind').value;
    await staffApi(`/shifts/${state.shift.id}/cash-movements`, { method: 'POST', body: { kind, amount, reason } });
    $('movement-amount').value = '';
    $('movement-reason').value = '';
    $('movement').open = false;
    await loadReport();
    toast(t(kind === 'PAY_IN' ? 'cashier.pay_in_recorded' : 'cashier.pay_out_recorded', { amount: money(amount) }));
  } catch (err) {
    showError(line, err);
  } finally {
    $('movement-submit').disabled = false;
  }
  return null;
}

/** Opens the cash drawer wired to the outlet's first active receipt printer. */
async function openDrawer() {
  const note = $('open-drawer-note');
  const printer = state.printers && state.printers.firstReceipt();
  if (!printer) {
    note.textContent = printProblemText({ code: 'NO_PRINTER' });
    note.classList.add('error');
    note.hidden = false;
    return;
  }
  const button = $('open-drawer');
  button.disabled = true;
  await sendToPrinter(`/printers/${printer.id}/open-drawer`, undefined, { note });
  button.disabled = false;
}

export function setUpShift() {
  $('open-drawer').addEventListener('click', openDrawer);
  $('shift-button').addEventListener('click', openShiftPanel);
  $('shift-dismiss').addEventListener('click', () => $('shift-dialog').close());
  $('shift-open-form').addEventListener('submit', openShift);
  $('close-form').addEventListener('submit', closeShift);
  $('close-count').addEventListener('input', renderDifference);
  $('close-panel').addEventListener('toggle', () => {
    if ($('close-panel').open && state.shift) loadReport();
  });
  $('movement-form').addEventListener('submit', recordMovement);
}
