//! Pure domain rules shared by storage, services and the API: order and session states,
//! the status machine, and money arithmetic. No I/O here.

use poem_openapi::Enum;
use sea_orm::{sea_query::StringLen, DeriveActiveEnum, EnumIter};

/// Where an order is in the kitchen. Moves go forward only (skipping is fine); VOIDED is
/// reachable from any non-terminal status; DONE and VOIDED are terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum OrderStatus {
    #[sea_orm(string_value = "NEW")]
    New,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "COOKING")]
    Cooking,
    #[sea_orm(string_value = "READY")]
    Ready,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "VOIDED")]
    Voided,
}

const FORWARD: [OrderStatus; 5] = [
    OrderStatus::New,
    OrderStatus::Accepted,
    OrderStatus::Cooking,
    OrderStatus::Ready,
    OrderStatus::Done,
];

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "NEW",
            OrderStatus::Accepted => "ACCEPTED",
            OrderStatus::Cooking => "COOKING",
            OrderStatus::Ready => "READY",
            OrderStatus::Done => "DONE",
            OrderStatus::Voided => "VOIDED",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, OrderStatus::Done | OrderStatus::Voided)
    }

    fn rank(self) -> Option<usize> {
        FORWARD.iter().position(|s| *s == self)
    }

    pub fn can_move_to(self, to: OrderStatus) -> bool {
        if self.is_terminal() {
            return false;
        }
        match (self.rank(), to.rank()) {
            (_, None) => to == OrderStatus::Voided,
            (Some(from), Some(to)) => to > from,
            (None, Some(_)) => false,
        }
    }

    /// Every status this one may move to, in order.
    pub fn allowed_next(self) -> Vec<OrderStatus> {
        FORWARD
            .iter()
            .copied()
            .chain([OrderStatus::Voided])
            .filter(|to| self.can_move_to(*to))
            .collect()
    }
}

/// Who created an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[oai(rename_all = "UPPERCASE")]
pub enum OrderSource {
    /// Taken by staff.
    #[sea_orm(string_value = "STAFF")]
    Staff,
    /// Placed by a guest from the table's QR page.
    #[sea_orm(string_value = "QR")]
    Qr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentStatus {
    #[sea_orm(string_value = "UNPAID")]
    Unpaid,
    #[sea_orm(string_value = "PARTIALLY_PAID")]
    PartiallyPaid,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "REFUNDED")]
    Refunded,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "UNPAID",
            PaymentStatus::PartiallyPaid => "PARTIALLY_PAID",
            PaymentStatus::Paid => "PAID",
            PaymentStatus::Refunded => "REFUNDED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum SessionStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum ShiftStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// How a payment was made.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Enum, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum PaymentMethod {
    #[sea_orm(string_value = "CASH")]
    Cash,
    #[sea_orm(string_value = "CARD")]
    Card,
    /// Indonesia's standard QR payment.
    #[sea_orm(string_value = "QRIS")]
    Qris,
    #[sea_orm(string_value = "TRANSFER")]
    Transfer,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "CASH",
            PaymentMethod::Card => "CARD",
            PaymentMethod::Qris => "QRIS",
            PaymentMethod::Transfer => "TRANSFER",
            PaymentMethod::Other => "OTHER",
        }
    }
}

/// Cash into or out of a drawer that is not a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CashMovementKind {
    /// Cash added (e.g. more change from the safe).
    #[sea_orm(string_value = "PAY_IN")]
    PayIn,
    /// Cash taken out (e.g. paying a supplier).
    #[sea_orm(string_value = "PAY_OUT")]
    PayOut,
}

/// How a discount is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum DiscountKind {
    /// `value` in basis points of what it applies to (1000 = 10 %).
    #[sea_orm(string_value = "PERCENT")]
    Percent,
    /// `value` in the smallest currency unit.
    #[sea_orm(string_value = "AMOUNT")]
    Amount,
}

/// What a correction of an order did (`adjustments[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AdjustmentKind {
    /// Taken off the bill: never made.
    #[sea_orm(string_value = "VOID")]
    Void,
    /// Made and given away: on the ticket at no charge.
    #[sea_orm(string_value = "COMP")]
    Comp,
    #[sea_orm(string_value = "DISCOUNT")]
    Discount,
    #[sea_orm(string_value = "DISCOUNT_REMOVED")]
    DiscountRemoved,
    /// Items moved to a new bill.
    #[sea_orm(string_value = "SPLIT")]
    Split,
    /// The order moved to another table.
    #[sea_orm(string_value = "MOVE")]
    Move,
}

impl AdjustmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentKind::Void => "VOID",
            AdjustmentKind::Comp => "COMP",
            AdjustmentKind::Discount => "DISCOUNT",
            AdjustmentKind::DiscountRemoved => "DISCOUNT_REMOVED",
            AdjustmentKind::Split => "SPLIT",
            AdjustmentKind::Move => "MOVE",
        }
    }
}

/// What a guest asks for from their table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GuestRequestKind {
    #[sea_orm(string_value = "CALL_WAITER")]
    CallWaiter,
    #[sea_orm(string_value = "BILL")]
    Bill,
}

/// What a printer is for: receipts and bills (and the cash drawer), or kitchen tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum PrinterKind {
    #[sea_orm(string_value = "RECEIPT")]
    Receipt,
    #[sea_orm(string_value = "KITCHEN")]
    Kitchen,
}

impl PrinterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrinterKind::Receipt => "RECEIPT",
            PrinterKind::Kitchen => "KITCHEN",
        }
    }
}

/// What a print job prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrintJobKind {
    #[sea_orm(string_value = "KITCHEN_TICKET")]
    KitchenTicket,
    #[sea_orm(string_value = "VOID_TICKET")]
    VoidTicket,
    #[sea_orm(string_value = "BILL")]
    Bill,
    #[sea_orm(string_value = "RECEIPT")]
    Receipt,
    #[sea_orm(string_value = "TEST")]
    Test,
    #[sea_orm(string_value = "DRAWER")]
    Drawer,
}

/// Where a print job is: waiting (also between retries), being sent, printed, or given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum PrintJobStatus {
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    #[sea_orm(string_value = "PRINTING")]
    Printing,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// The payment status that follows from what has been paid.
pub fn payment_status(paid: i64, total: i64, any_refund: bool) -> PaymentStatus {
    if paid <= 0 {
        if any_refund {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::Unpaid
        }
    } else if paid >= total {
        PaymentStatus::Paid
    } else {
        PaymentStatus::PartiallyPaid
    }
}

/// What should be in the drawer (README, "Money: shifts, payments, refunds").
pub fn expected_cash(
    start_cash: i64,
    cash_payments: i64,
    cash_refunds: i64,
    pay_ins: i64,
    pay_outs: i64,
) -> i64 {
    start_cash + cash_payments - cash_refunds + pay_ins - pay_outs
}

/// An order's money, all in the smallest currency unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: i64,
    /// Line and order discounts together; never more than `subtotal`.
    pub discount: i64,
    pub service_charge: i64,
    pub tax: i64,
    pub total: i64,
}

/// `round_half_up(amount × bp / 10000)` for a non-negative amount, in integers.
pub fn basis_points_of(amount: i64, bp: i32) -> Option<i64> {
    let product = i128::from(amount).checked_mul(i128::from(bp))?;
    i64::try_from((product + 5_000) / 10_000).ok()
}

/// An order line as the bill sees it: what was ordered, and how much of it was voided (taken
/// off: never made) or comped (made and given away: on the ticket at no charge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillLine {
    pub unit_price: i64,
    pub quantity: i32,
    pub voided: i32,
    pub comped: i32,
}

impl BillLine {
    pub fn new(unit_price: i64, quantity: i32) -> Self {
        BillLine {
            unit_price,
            quantity,
            voided: 0,
            comped: 0,
        }
    }

    /// What is charged for: ordered less voided and comped.
    pub fn billable(&self) -> i32 {
        (self.quantity - self.voided - self.comped).max(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountValue {
    /// Basis points of what it applies to (1000 = 10 %).
    Percent(i32),
    /// An amount off, never more than what it applies to.
    Amount(i64),
}

/// A discount on one line (`line`: its index) or, with `None`, on the whole order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount {
    pub line: Option<usize>,
    pub value: DiscountValue,
}

/// The bill: the totals, and each line's net amount after every discount (an order discount is
/// shared over the lines in proportion, so the nets add up to `subtotal − discount`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub totals: Totals,
    pub line_net: Vec<i64>,
    /// What each discount took off, in the order they were given.
    pub discount_off: Vec<i64>,
}

/// The totals formula, in integers with each rounding half-up:
///
/// ```text
/// subtotal        = Σ unit_price × billable quantity
/// discount        = line discounts + order discounts            (never more than subtotal)
/// service_charge  = round((subtotal − discount) × service_charge_bp / 10000)
/// tax             = round((subtotal − discount + service_charge) × tax_bp / 10000)
/// total           = subtotal − discount + service_charge + tax
/// ```
///
/// Line discounts come first, then order discounts; within each, PERCENT before AMOUNT, each
/// applied to what is left after the ones before it. `None` when an amount overflows.
pub fn bill(
    lines: &[BillLine],
    discounts: &[Discount],
    service_charge_bp: i32,
    tax_bp: i32,
) -> Option<Bill> {
    let gross: Vec<i64> = lines
        .iter()
        .map(|l| l.unit_price.checked_mul(i64::from(l.billable())))
        .collect::<Option<_>>()?;
    let subtotal = gross.iter().try_fold(0_i64, |sum, g| sum.checked_add(*g))?;

    // Percent before amount, in the order given within each kind.
    let ordered = |line: Option<usize>| {
        let of = move |percent: bool| {
            discounts.iter().enumerate().filter(move |(_, d)| {
                d.line == line && matches!(d.value, DiscountValue::Percent(_)) == percent
            })
        };
        of(true).chain(of(false))
    };
    let mut discount_off = vec![0; discounts.len()];
    let take = |left: i64, value: DiscountValue| -> Option<i64> {
        let off = match value {
            DiscountValue::Percent(bp) => basis_points_of(left, bp.clamp(0, 10_000))?,
            DiscountValue::Amount(amount) => amount.max(0),
        };
        Some(off.min(left))
    };

    let mut net = gross.clone();
    for (index, left) in net.iter_mut().enumerate() {
        for (at, d) in ordered(Some(index)) {
            let off = take(*left, d.value)?;
            *left -= off;
            if let Some(slot) = discount_off.get_mut(at) {
                *slot = off;
            }
        }
    }
    let after_lines = net.iter().sum::<i64>();
    let mut left = after_lines;
    for (at, d) in ordered(None) {
        let off = take(left, d.value)?;
        left -= off;
        if let Some(slot) = discount_off.get_mut(at) {
            *slot = off;
        }
    }
    share(&mut net, after_lines - left);

    let discount = subtotal - left;
    let service_charge = basis_points_of(left, service_charge_bp)?;
    let taxable = left.checked_add(service_charge)?;
    let tax = basis_points_of(taxable, tax_bp)?;
    Some(Bill {
        totals: Totals {
            subtotal,
            discount,
            service_charge,
            tax,
            total: taxable.checked_add(tax)?,
        },
        line_net: net,
        discount_off,
    })
}

/// Takes `amount` off `values` in proportion to them, rounding down and handing the remainder
/// out one unit at a time from the first line, so exactly `amount` is taken.
fn share(values: &mut [i64], amount: i64) {
    let total: i64 = values.iter().sum();
    if total <= 0 || amount <= 0 {
        return;
    }
    let mut taken = 0;
    for v in values.iter_mut() {
        let part =
            i64::try_from(i128::from(*v) * i128::from(amount) / i128::from(total)).unwrap_or(0);
        *v -= part;
        taken += part;
    }
    for v in values.iter_mut() {
        if taken >= amount {
            break;
        }
        if *v > 0 {
            *v -= 1;
            taken += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn moves_go_forward_and_may_skip() {
        assert!(New.can_move_to(Accepted));
        assert!(New.can_move_to(Ready));
        assert!(Cooking.can_move_to(Done));
        assert!(!Cooking.can_move_to(Accepted));
        assert!(!Ready.can_move_to(Ready));
        assert!(!New.can_move_to(New));
    }

    #[test]
    fn void_from_any_non_terminal_and_terminals_stay() {
        for from in [New, Accepted, Cooking, Ready] {
            assert!(from.can_move_to(Voided), "{from:?}");
        }
        for to in [New, Accepted, Cooking, Ready, Done, Voided] {
            assert!(!Done.can_move_to(to));
            assert!(!Voided.can_move_to(to));
        }
        assert_eq!(Cooking.allowed_next(), vec![Ready, Done, Voided]);
        assert!(Done.allowed_next().is_empty());
    }

    #[test]
    fn totals_follow_the_design_formula() {
        // 3 × 8000 with 5% service and 10% tax.
        let t = bill(&[line(8_000, 3)], &[], 500, 1_000).unwrap().totals;
        assert_eq!(
            (t.subtotal, t.service_charge, t.tax, t.total),
            (24_000, 1_200, 2_520, 27_720)
        );
        assert_eq!(
            bill(&[line(150_000, 1)], &[], 0, 0).unwrap().totals.total,
            150_000
        );
    }

    fn line(unit_price: i64, quantity: i32) -> BillLine {
        BillLine::new(unit_price, quantity)
    }

    #[test]
    fn a_percent_and_an_amount_discount_with_service_and_tax() {
        // 2 × 25000 + 3 × 5000 = 65000; 10 % off the first line (5000), then Rp3000 off the
        // order: 65000 − 5000 − 3000 = 57000; service 5 % = 2850; tax 10 % of 59850 = 5985.
        let lines = [line(25_000, 2), line(5_000, 3)];
        let discounts = [
            Discount {
                line: None,
                value: DiscountValue::Amount(3_000),
            },
            Discount {
                line: Some(0),
                value: DiscountValue::Percent(1_000),
            },
        ];
        let b = bill(&lines, &discounts, 500, 1_000).unwrap();
        assert_eq!(
            b.totals,
            Totals {
                subtotal: 65_000,
                discount: 8_000,
                service_charge: 2_850,
                tax: 5_985,
                total: 65_835
            }
        );
        assert_eq!(b.discount_off, vec![3_000, 5_000]);
        // The order's 3000 is shared 45000 : 15000 → 2250 and 750.
        assert_eq!(b.line_net, vec![42_750, 14_250]);
        assert_eq!(b.line_net.iter().sum::<i64>(), 57_000);
    }

    #[test]
    fn a_comp_and_a_void_leave_the_bill_and_rounding_is_half_up() {
        // 3 × 8000, one voided, one comped: one is billed. Service 5 % of 8000 = 400;
        // tax 11 % of 8400 = 924.
        let mut l = line(8_000, 3);
        l.voided = 1;
        l.comped = 1;
        let b = bill(&[l], &[], 500, 1_100).unwrap();
        assert_eq!(
            (
                b.totals.subtotal,
                b.totals.service_charge,
                b.totals.tax,
                b.totals.total
            ),
            (8_000, 400, 924, 9_324)
        );
        // Half-up: 10 % of 5 = 0.5 → 1; 5 % of 10 = 0.5 → 1.
        assert_eq!(basis_points_of(5, 1_000), Some(1));
        let b = bill(&[line(10, 1)], &[], 500, 0).unwrap();
        assert_eq!(b.totals.service_charge, 1);
    }

    #[test]
    fn a_discount_never_takes_more_than_there_is() {
        let b = bill(
            &[line(10_000, 1)],
            &[Discount {
                line: None,
                value: DiscountValue::Amount(50_000),
            }],
            500,
            1_000,
        )
        .unwrap();
        assert_eq!((b.totals.discount, b.totals.total), (10_000, 0));
        assert_eq!(b.line_net, vec![0]);
        // Shares add up exactly: 100 off 3 equal lines → 34, 33, 33.
        let b = bill(
            &[line(1_000, 1), line(1_000, 1), line(1_000, 1)],
            &[Discount {
                line: None,
                value: DiscountValue::Amount(100),
            }],
            0,
            0,
        )
        .unwrap();
        assert_eq!(b.line_net, vec![966, 967, 967]);
    }

    #[test]
    fn the_shift_example_expects_338000() {
        // start 200000; cash 150000 + 3000 + 8000 (the last refunded); PAY_IN 5000; PAY_OUT 20000
        let expected = expected_cash(200_000, 161_000, 8_000, 5_000, 20_000);
        assert_eq!(expected, 338_000);
        assert_eq!(337_000 - expected, -1_000);
    }

    #[test]
    fn payment_status_follows_the_money() {
        assert_eq!(payment_status(0, 8_000, false), PaymentStatus::Unpaid);
        assert_eq!(
            payment_status(5_000, 8_000, false),
            PaymentStatus::PartiallyPaid
        );
        assert_eq!(payment_status(8_000, 8_000, false), PaymentStatus::Paid);
        assert_eq!(payment_status(0, 8_000, true), PaymentStatus::Refunded);
        assert_eq!(
            payment_status(5_000, 8_000, true),
            PaymentStatus::PartiallyPaid
        );
    }

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(basis_points_of(10, 500), Some(1)); // 0.5 → 1
        assert_eq!(basis_points_of(9, 500), Some(0)); // 0.45 → 0
        assert_eq!(basis_points_of(30, 500), Some(2)); // 1.5 → 2
        assert_eq!(
            basis_points_of(1_000_000_000_000, 10_000),
            Some(1_000_000_000_000)
        );
    }
}
