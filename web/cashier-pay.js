// The payment screen: the amount due big, a button per method, quick cash, split tender (pay
// part now, the rest next with another method), the change big, Confirm. One order pays with
// `POST /orders/{id}/payments`; a whole table with `POST /table-sessions/{id}/payments`, which
// settles its unpaid orders oldest first.
import { h, moneyInput, newKey, retryTransient, sendToPrinter, staffApi, toast } from './app.js';
import { t } from './i18n.js';
import {
  $, amountOf, currency, hooks, methodText, money, outstanding, plural, showError, state, tableName,
} from './cashier-core.js';
const NOTES = [20000, 50000, 100000]; // the notes handed over most (IDR)

/**
 * {kind: 'order', order} or {kind: 'session', sessionId, due, orders}, what is left to pay
 * (`due`), the payments taken so far on this screen, and the idempotency key of the next one.
 */
let paying = null;

/** Opens the payment screen for one order. */
export function payOrder(order) {
  const where = order.table_session_id ? tableOfSession(order.table_session_id) : t('cashier.takeaway');
  const label = t('cashier.pay_summary_order', { number: order.number, where });
  start({ kind: 'order', order, sessionId: order.table_session_id || null, due: outstanding(order), label });
}

/** Opens the payment screen for every unpaid order of a table. */
export function paySession(sessionId) {
  const bill = state.bills.get(sessionId);
  if (!bill) return;
  const unpaid = bill.orders.filter((o) => outstanding(o) > 0);
  const numbers = unpaid.map((o) => `#${o.number}`).join(', ');
  const label = t('cashier.pay_summary_table', { table: tableOfSession(sessionId), orders: plural('cashier.orders', unpaid.length), numbers });
  start({ kind: 'session', sessionId, due: bill.outstanding, label });
}

function tableOfSession(sessionId) {
  const session = state.sessions.get(sessionId);
  return session ? tableName(session.table_id) : t('cashier.table');
}

function start(what) {
  paying = { ...what, taken: [], key: newKey() };
  $('pay-title').textContent = what.kind === 'session' ? t('cashier.pay_the_table') : t('cashier.payment');
  $('pay-summary').textContent = what.label;
  $('pay-form').hidden = false;
  $('pay-result').hidden = true;
  $('pay-progress').hidden = true;
  $('pay-open-shift').hidden = true;
  $('pay-error').hidden = true;
  $('pay-reference').value = '';
  setMethod('CASH');
  resetAmount();
  if (!$('pay-dialog').open) $('pay-dialog').showModal();
  // With a mouse and keyboard, type the cash at once; on a tablet the on-screen keyboard
  // would cover the quick-cash buttons, so nothing is focused for typing.
  if (window.matchMedia('(pointer: fine)').matches) $('pay-tendered').focus();
}

/** A new part of the payment: the amount is what is left, nothing handed over yet. */
function resetAmount() {
  $('pay-due').textContent = money(paying.due);
  $('pay-amount').value = moneyInput(paying.due, currency());
  $('pay-tendered').value = '';
  renderChange();
}

function setMethod(method) {
  $('pay-method').dataset.value = method;
  for (const button of $('pay-method').querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.method === method));
  }
  const cash = method === 'CASH';
  $('pay-cash').hidden = !cash;
  $('pay-reference-row').hidden = cash;
  renderChange();
}

const method = () => $('pay-method').dataset.value;

/** Exact, then the notes that cover the amount (and, above them, the next round sums). */
function quickCash(amount) {
  if (currency() !== 'IDR' || !amount) return amount ? [amount] : [];
  const round = (step) => Math.ceil(amount / step) * step;
  const above = (step) => (Math.floor(amount / step) + 1) * step; // the next round sum up
  const sums = [...NOTES, round(10000), above(50000), above(100000)].filter((sum) => sum > amount);
  return [amount, ...[...new Set(sums)].sort((a, b) => a - b).slice(0, 3)];
}

function renderQuickCash(amount) {
  $('pay-quick').replaceChildren(...quickCash(amount).map((sum, index) => h('button', {
    type: 'button',
    class: `quick-cash-button${index === 0 ? ' exact' : ''}`,
    dataset: { amount: String(sum) },
    onclick: () => {
      $('pay-tendered').value = moneyInput(sum, currency());
      renderChange();
    },
  }, index === 0 ? t('cashier.exact', { amount: money(sum) }) : money(sum))));
}

/** The change (`tendered − amount`), shown big before confirming. */
function renderChange() {
  if (!paying) return;
  const cash = method() === 'CASH';
  const amount = amountOf('pay-amount');
  const tendered = amountOf('pay-tendered');
  const change = $('pay-change');
  if (cash) renderQuickCash(amount && amount <= paying.due ? amount : paying.due);
  if (!cash || amount === null || tendered === null) {
    change.textContent = '—';
    change.dataset.short = '0';
  } else if (tendered < amount) {
    change.textContent = t('cashier.short', { amount: money(amount - tendered) });
    change.dataset.short = '1';
  } else {
    change.textContent = money(tendered - amount);
    change.dataset.short = '0';
  }
  const part = amount && amount < paying.due;
  $('pay-confirm').textContent = amount
    ? t(part ? 'cashier.pay_part' : 'cashier.confirm_amount', { amount: money(amount) })
    : t('cashier.confirm_payment');
  // A new amount, method or tendered is a new payment: a new idempotency key.
  paying.key = newKey();
}

async function confirmPayment(event) {
  event.preventDefault();
  if (!paying) return null;
  const line = $('pay-error');
  line.hidden = true;
  $('pay-open-shift').hidden = true;
  const chosen = method();
  const amount = amountOf('pay-amount');
  if (!amount) return showError(line, t('cashier.enter_amount_to_pay'));
  if (amount > paying.due) return showError(line, t('cashier.at_most_due', { amount: money(paying.due) }));
  const body = { method: chosen, amount };
  if (chosen === 'CASH') {
    const tendered = amountOf('pay-tendered');
    body.tendered = tendered === null ? amount : tendered;
    if (body.tendered < amount) return showError(line, t('cashier.cash_less_than_amount'));
  } else {
    const reference = $('pay-reference').value.trim();
    if (reference) body.reference = reference;
  }
  const what = paying;
  $('pay-confirm').disabled = true;
  try {
    const change = await post(what, body);
    what.taken.push({ method: chosen, amount, change });
    what.due -= amount;
    await Promise.all([
      hooks.changed({ sessionId: what.sessionId, orderId: what.kind === 'order' ? what.order.id : null }),
      hooks.paid(),
    ]);
    if (what.due > 0) {
      partPaid(what, chosen, amount, change);
    } else {
      finished(what);
    }
  } catch (err) {
    if (err.code === 'NO_OPEN_SHIFT') {
      showError(line, t('cashier.open_shift_first'));
      $('pay-open-shift').hidden = false;
    } else {
      showError(line, err);
    }
  } finally {
    $('pay-confirm').disabled = false;
  }
  return null;
}

/** Posts one payment (retrying only what may not have arrived) and answers the change. */
async function post(what, body) {
  const headers = { 'Idempotency-Key': what.key };
  const path = what.kind === 'session'
    ? `/table-sessions/${what.sessionId}/payments`
    : `/orders/${what.order.id}/payments`;
  const answer = await retryTransient(() => staffApi(path, { method: 'POST', body, headers }), 3);
  return (what.kind === 'session' ? answer.change_amount : answer.change) || 0;
}

/** Split tender: part is paid, the screen stays for the rest (another method, say). */
function partPaid(what, chosen, amount, change) {
  const taken = takenText(what);
  $('pay-progress').textContent = change
    ? t('cashier.paid_so_far_change', { taken, change: money(change), left: money(what.due) })
    : t('cashier.paid_so_far', { taken, left: money(what.due) });
  $('pay-progress').hidden = false;
  toast(t('cashier.part_paid_toast', { amount: money(amount), method: methodText(chosen), left: money(what.due) }));
  resetAmount();
}

/** "Rp20.000 cash + Rp10.000 QRIS". */
function takenText(what) {
  return what.taken.map((part) => t('cashier.amount_method', { amount: money(part.amount), method: methodText(part.method) })).join(' + ');
}

/** All paid: the change big if cash came back, and closing the table if nothing is left. */
function finished(what) {
  const change = what.taken.reduce((sum, part) => sum + part.change, 0);
  const bill = what.sessionId ? state.bills.get(what.sessionId) : null;
  const tableDone = Boolean(bill && bill.outstanding === 0 && state.sessions.has(what.sessionId));
  if (!change && !tableDone) {
    $('pay-dialog').close();
    paying = null;
    toast(t('cashier.paid_toast'));
    return;
  }
  $('pay-form').hidden = true;
  $('pay-result').hidden = false;
  $('pay-result-title').textContent = tableDone ? t('cashier.table_is_paid', { table: tableOfSession(what.sessionId) }) : t('cashier.paid_title');
  $('pay-result-lines').textContent = takenText(what);
  $('pay-result-change-box').hidden = !change;
  $('pay-result-change').textContent = money(change);
  $('pay-close-table').hidden = !tableDone;
  // One order paid: its receipt, unless the outlet prints it by itself.
  const receipt = $('pay-print-receipt');
  receipt.hidden = what.kind !== 'order' || Boolean(state.outlet.auto_print_receipt);
  receipt.dataset.orderId = what.kind === 'order' ? what.order.id : '';
  $('pay-print-note').hidden = true;
  $('pay-done').focus();
  toast(change ? t('cashier.paid_change_toast', { change: money(change) }) : t('cashier.paid_toast'));
}

function done() {
  $('pay-dialog').close();
}

// ---- refunds -------------------------------------------------------------------------------

let refunding = null; // {order, payments}

/** The refund sheet of a paid order: which payment, and why. */
export async function openRefund(order) {
  const payments = (await staffApi(`/orders/${order.id}/payments`)).items.filter((p) => !p.refunded_at);
  if (!payments.length) {
    toast(t('cashier.nothing_to_refund'), 'error');
    return;
  }
  refunding = { order, payments };
  $('refund-summary').textContent = t('cashier.refund_summary', { number: order.number, amount: money(order.total_amount) });
  $('refund-payments').replaceChildren(...payments.map((p, i) => h('div', { class: 'check-row' },
    h('input', { type: 'radio', name: 'refund-payment', id: `refund-${p.id}`, value: p.id, checked: i === 0 }),
    h('label', { for: `refund-${p.id}` }, t('cashier.amount_method', { amount: money(p.amount), method: methodText(p.method) }),
      p.reference ? ` · ${p.reference}` : ''))));
  $('refund-reason').value = '';
  $('refund-error').hidden = true;
  $('refund-dialog').showModal();
}

async function confirmRefund(event) {
  event.preventDefault();
  if (!refunding) return;
  const chosen = document.querySelector('input[name="refund-payment"]:checked');
  const reason = $('refund-reason').value.trim();
  if (!chosen) return showError($('refund-error'), t('cashier.choose_payment_to_refund'));
  if (!reason) return showError($('refund-error'), t('cashier.say_why'));
  const { order } = refunding;
  $('refund-confirm').disabled = true;
  try {
    const refunded = await staffApi(`/payments/${chosen.value}/refund`, {
      method: 'POST', body: { reason }, approvalOrder: order.id,
    });
    $('refund-dialog').close();
    toast(t('cashier.refunded_toast', { amount: money(refunded.amount), number: order.number }));
    await hooks.changed({ sessionId: order.table_session_id, order: await staffApi(`/orders/${order.id}`) });
  } catch (err) {
    showError($('refund-error'), err);
  } finally {
    $('refund-confirm').disabled = false;
  }
}

export function setUpPayment({ closeTable }) {
  $('refund-form').addEventListener('submit', confirmRefund);
  $('refund-cancel').addEventListener('click', () => $('refund-dialog').close());
  for (const button of $('pay-method').querySelectorAll('button')) {
    button.addEventListener('click', () => setMethod(button.dataset.method));
  }
  for (const id of ['pay-amount', 'pay-tendered']) $(id).addEventListener('input', renderChange);
  $('pay-form').addEventListener('submit', confirmPayment);
  $('pay-cancel').addEventListener('click', done);
  $('pay-done').addEventListener('click', done);
  $('pay-dialog').addEventListener('close', () => { paying = null; });
  $('pay-open-shift').addEventListener('click', () => {
    done();
    hooks.openShift();
  });
  $('pay-print-receipt').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    if (!button.dataset.orderId) return;
    button.disabled = true;
    await sendToPrinter(`/orders/${button.dataset.orderId}/print`, { kind: 'RECEIPT' }, { note: $('pay-print-note') });
    button.disabled = false;
  });
  $('pay-close-table').addEventListener('click', () => {
    const sessionId = paying && paying.sessionId;
    done();
    if (sessionId) closeTable(sessionId);
  });
}
