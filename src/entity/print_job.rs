//! `print_jobs`: the durable print queue. A job is written in the transaction of its cause
//! with its bytes already rendered, so what prints is what was true when it happened.

use sea_orm::entity::prelude::*;

use crate::domain::{PrintJobKind, PrintJobStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "print_jobs")]
pub struct Model {
    /// UUIDv7: a printer's jobs go out in id order.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub printer_id: Uuid,
    pub kind: PrintJobKind,
    pub status: PrintJobStatus,
    pub order_id: Option<Uuid>,
    pub table_session_id: Option<Uuid>,
    /// The ESC/POS bytes, every copy included.
    pub payload: Vec<u8>,
    /// A receipt printed again (it says COPY), or a job sent again after an uncertain try.
    pub reprint: bool,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTimeUtc,
    /// While PRINTING: the claim's lease. A worker that died leaves it to expire.
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub printed_at: Option<DateTimeUtc>,
    /// When it was last put back in the queue after failing: its retry window starts here.
    pub retried_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
