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
    pub service_charge: i64,
    pub tax: i64,
    pub total: i64,
}

/// `round_half_up(amount × bp / 10000)` for a non-negative amount, in integers.
pub fn basis_points_of(amount: i64, bp: i32) -> Option<i64> {
    let product = i128::from(amount).checked_mul(i128::from(bp))?;
    i64::try_from((product + 5_000) / 10_000).ok()
}

/// Service charge on the subtotal, tax on subtotal + service charge (README, "How ordering works").
pub fn totals(subtotal: i64, service_charge_bp: i32, tax_bp: i32) -> Option<Totals> {
    let service_charge = basis_points_of(subtotal, service_charge_bp)?;
    let taxable = subtotal.checked_add(service_charge)?;
    let tax = basis_points_of(taxable, tax_bp)?;
    Some(Totals {
        subtotal,
        service_charge,
        tax,
        total: taxable.checked_add(tax)?,
    })
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
        let t = totals(24_000, 500, 1_000).unwrap();
        assert_eq!(
            (t.subtotal, t.service_charge, t.tax, t.total),
            (24_000, 1_200, 2_520, 27_720)
        );
        assert_eq!(totals(150_000, 0, 0).unwrap().total, 150_000);
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
