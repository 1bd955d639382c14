//! Orders: `POST/GET /orders`, `GET /orders/{id}`, `PATCH /orders/{id}/status`, and the
//! corrections: void/comp an item, discounts, split, move to another table.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    types::ToJSON,
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::{text::Text, ApiTags};
use crate::{
    auth::{Auth, Principal},
    domain::{AdjustmentKind, DiscountKind, OrderSource, OrderStatus, PaymentStatus},
    error::AppResult,
    service::{
        corrections,
        idempotency::IdempotencyKey,
        orders::{self, NewOrder, NewOrderItem, OrderDetails, OrderFilter, StatusChange},
        PageRequest,
    },
    state::AppState,
};

pub struct OrdersApi;

/// A chosen modifier as it was when ordered.
#[derive(Object)]
pub struct ChosenModifierView {
    pub group_id: Uuid,
    pub group_name: String,
    pub option_id: Uuid,
    pub option_name: String,
    pub price_delta: i64,
}

#[derive(Object)]
pub struct OrderItemView {
    pub id: Uuid,
    pub product_id: Uuid,
    /// The product name when ordered.
    pub name: String,
    /// Product price plus chosen price deltas, when ordered.
    pub unit_price: i64,
    pub quantity: i32,
    pub note: String,
    pub modifiers: Vec<ChosenModifierView>,
    /// `unit_price × (quantity − voided − comped)`: what the line charges.
    pub line_total: i64,
    /// Taken off the bill (never made).
    pub voided_quantity: i32,
    /// Made and given away: on the ticket at no charge.
    pub comped_quantity: i32,
    /// This line's share of the discounts (its own, and its part of the order's).
    pub discount_amount: i64,
}

/// A discount standing on the order.
#[derive(Object)]
pub struct DiscountView {
    pub id: Uuid,
    /// The line it is on; `null`: the whole order.
    #[oai(nullable)]
    pub item_id: Option<Uuid>,
    pub kind: DiscountKind,
    /// Basis points (PERCENT) or an amount (AMOUNT).
    pub value: i64,
    /// What it takes off now.
    pub amount: i64,
    pub reason: String,
    pub created_by: Uuid,
    /// The manager who approved it (a discount over the cashier's cap).
    #[oai(nullable)]
    pub approved_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// One correction of the order, kept for the record.
#[derive(Object)]
pub struct AdjustmentView {
    pub id: Uuid,
    pub kind: AdjustmentKind,
    #[oai(nullable)]
    pub item_id: Option<Uuid>,
    #[oai(nullable)]
    pub quantity: Option<i32>,
    /// What it took off the subtotal before service and tax (negative: put back on).
    pub amount: i64,
    pub reason: String,
    pub created_by: Uuid,
    /// Their username.
    pub created_by_name: String,
    #[oai(nullable)]
    pub approved_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// An order with its items and server-computed totals (smallest currency unit).
#[derive(Object)]
pub struct OrderView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    /// `null` for takeaway.
    #[oai(nullable)]
    pub table_session_id: Option<Uuid>,
    /// 1, 2, 3… per outlet and business day.
    pub number: i32,
    /// `YYYY-MM-DD` in the outlet's time zone.
    pub business_date: String,
    pub source: OrderSource,
    pub status: OrderStatus,
    pub note: String,
    pub items: Vec<OrderItemView>,
    pub subtotal: i64,
    /// Line and order discounts together.
    pub discount_amount: i64,
    pub service_charge_amount: i64,
    pub tax_amount: i64,
    pub total_amount: i64,
    pub paid_amount: i64,
    pub payment_status: PaymentStatus,
    /// The rates it was taken at (basis points); corrections recompute with these.
    pub service_charge_bp: i32,
    pub tax_bp: i32,
    pub discounts: Vec<DiscountView>,
    /// Every correction (void, comp, discount, split, move), oldest first.
    pub adjustments: Vec<AdjustmentView>,
    /// The order this one was split off.
    #[oai(nullable)]
    pub split_from: Option<Uuid>,
    /// Increases with every change; send it back as `version` to move only an unchanged order.
    pub version: i32,
    /// The staff member who took it; `null` for a guest order.
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Once fully paid: the digital receipt's page, `/r/<token>` (the token is its key).
    #[oai(nullable)]
    pub receipt_url: Option<String>,
}

impl From<OrderDetails> for OrderView {
    fn from(d: OrderDetails) -> Self {
        let o = d.order;
        OrderView {
            id: o.id,
            outlet_id: o.outlet_id,
            table_session_id: o.table_session_id,
            number: o.number,
            business_date: o.business_date,
            source: o.source,
            status: o.status,
            note: o.note,
            items: d
                .items
                .into_iter()
                .map(|i| OrderItemView {
                    id: i.item.id,
                    product_id: i.item.product_id,
                    name: i.item.name,
                    unit_price: i.item.unit_price,
                    quantity: i.item.quantity,
                    note: i.item.note,
                    modifiers: i
                        .modifiers
                        .into_iter()
                        .map(|m| ChosenModifierView {
                            group_id: m.group_id,
                            group_name: m.group_name,
                            option_id: m.option_id,
                            option_name: m.option_name,
                            price_delta: m.price_delta,
                        })
                        .collect(),
                    line_total: i.item.line_total,
                    voided_quantity: i.item.voided_quantity,
                    comped_quantity: i.item.comped_quantity,
                    discount_amount: i.item.discount_amount,
                })
                .collect(),
            subtotal: o.subtotal,
            discount_amount: o.discount_amount,
            service_charge_amount: o.service_charge_amount,
            tax_amount: o.tax_amount,
            total_amount: o.total_amount,
            paid_amount: o.paid_amount,
            payment_status: o.payment_status,
            service_charge_bp: o.service_charge_bp,
            tax_bp: o.tax_bp,
            discounts: d
                .discounts
                .into_iter()
                .map(|(d, amount)| DiscountView {
                    id: d.id,
                    item_id: d.item_id,
                    kind: d.kind,
                    value: d.value,
                    amount,
                    reason: d.reason,
                    created_by: d.created_by,
                    approved_by: d.approved_by,
                    created_at: d.created_at,
                })
                .collect(),
            adjustments: d
                .adjustments
                .into_iter()
                .map(|a| AdjustmentView {
                    id: a.adjustment.id,
                    kind: a.adjustment.kind,
                    item_id: a.adjustment.item_id,
                    quantity: a.adjustment.quantity,
                    amount: a.adjustment.amount,
                    reason: a.adjustment.reason,
                    created_by: a.adjustment.created_by,
                    created_by_name: a.created_by_name,
                    approved_by: a.adjustment.approved_by,
                    created_at: a.adjustment.created_at,
                })
                .collect(),
            split_from: o.split_from,
            version: o.version,
            created_by: o.created_by,
            created_at: o.created_at,
            updated_at: o.updated_at,
            receipt_url: o.receipt_token.map(|token| format!("/r/{token}")),
        }
    }
}

#[derive(Object)]
pub struct OrderPage {
    pub items: Vec<OrderView>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct NewOrderItemRequest {
    pub product_id: Uuid,
    /// 1–999.
    #[oai(validator(minimum(value = "1"), maximum(value = "999")))]
    pub quantity: i32,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub note: Option<Text>,
    /// Chosen options; each modifier group's min/max must be met.
    #[oai(validator(max_items = 50))]
    #[oai(nullable)]
    pub modifier_option_ids: Option<Vec<Uuid>>,
}

#[derive(Object)]
pub struct NewOrderRequest {
    /// Staff: the outlet (default: your own). Guests: leave out.
    #[oai(nullable)]
    pub outlet_id: Option<Uuid>,
    /// An open table session of the outlet; leave out for takeaway. Guests: implied.
    #[oai(nullable)]
    pub table_session_id: Option<Uuid>,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub note: Option<Text>,
    #[oai(validator(min_items = 1, max_items = 100))]
    pub items: Vec<NewOrderItemRequest>,
}

#[derive(Object)]
pub struct StatusChangeRequest {
    /// NEW | ACCEPTED | COOKING | READY | DONE | VOIDED
    pub status: OrderStatus,
    /// Required for VOIDED.
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub reason: Option<Text>,
    /// Move only if the order is still at this version (else 409).
    #[oai(nullable)]
    pub version: Option<i32>,
}

#[derive(ApiResponse)]
pub enum CreateOrderResponse {
    /// The order (also for a retry with the same `Idempotency-Key`).
    #[oai(status = 201)]
    Created(Json<OrderView>),
}

#[OpenApi(tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Place an order. Prices, modifiers and totals are computed by the server from the menu.
    /// Send an `Idempotency-Key` so that a retry never orders twice.
    #[oai(path = "/orders", method = "post", operation_id = "create_order")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Any unique string per order attempt (e.g. a UUID); a retry reuses it.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<NewOrderRequest>,
    ) -> AppResult<CreateOrderResponse> {
        let principal = auth.0;
        let caller = match &principal {
            Principal::Staff(staff) => staff.user_id,
            Principal::Guest(guest) => guest.session_id,
        };
        let key = IdempotencyKey::from_header(
            "create_order",
            caller,
            idempotency_key.0.as_deref(),
            || body.0.to_json_string(),
        )?;
        let b = body.0;
        let input = NewOrder {
            outlet_id: b.outlet_id,
            table_session_id: b.table_session_id,
            note: b.note.map(String::from),
            items: b
                .items
                .into_iter()
                .map(|i| NewOrderItem {
                    product_id: i.product_id,
                    quantity: i.quantity,
                    note: i.note.map(String::from),
                    modifier_option_ids: i.modifier_option_ids.unwrap_or_default(),
                })
                .collect(),
        };
        let order = orders::create_order(&state.db, &state.memory, &principal, input, key).await?;
        Ok(CreateOrderResponse::Created(Json(order.into())))
    }

    /// Orders, oldest first: staff see their outlet's (OWNER: every outlet's), a guest its table's.
    #[oai(path = "/orders", method = "get", operation_id = "list_orders")]
    #[allow(clippy::too_many_arguments)] // one argument per query parameter
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Option<Uuid>>,
        status: Query<Option<OrderStatus>>,
        table_session_id: Query<Option<Uuid>>,
        /// Only orders created after this instant (RFC 3339).
        created_after: Query<Option<DateTime<Utc>>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<OrderPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let filter = OrderFilter {
            outlet_id: outlet_id.0,
            status: status.0,
            table_session_id: table_session_id.0,
            created_after: created_after.0,
        };
        let page = orders::list_orders(&state.db, &auth.0, filter, page).await?;
        Ok(Json(OrderPage {
            items: page.items.into_iter().map(OrderView::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// One order.
    #[oai(path = "/orders/:id", method = "get", operation_id = "get_order")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<OrderView>> {
        let details = orders::read_order(&state.db, &state.memory.orders, &auth.0, id.0).await?;
        Ok(Json(details.into()))
    }

    /// Move an order forward (steps may be skipped) or void it (with a reason). KITCHEN moves
    /// up to READY; voiding needs OWNER/MANAGER, or KASIR while nothing was ever paid, and an
    /// order with payments is `409 ORDER_HAS_PAYMENTS` until they are refunded. Illegal moves are
    /// `409 ORDER_TRANSITION_INVALID` naming the allowed next statuses.
    #[oai(
        path = "/orders/:id/status",
        method = "patch",
        operation_id = "update_order_status"
    )]
    async fn update_status(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<StatusChangeRequest>,
    ) -> AppResult<Json<OrderView>> {
        let change = StatusChange {
            status: body.0.status,
            reason: body.0.reason.map(String::from),
            expected_version: body.0.version,
        };
        Ok(Json(
            orders::change_status(&state.db, auth.0.staff()?, id.0, change)
                .await?
                .into(),
        ))
    }

    /// Void (take off the bill: it was not made) or comp (keep on the ticket at no charge)
    /// `quantity` of one line, with a reason. Floor staff while the order is NEW; once the
    /// kitchen has it, MANAGER/OWNER, or anyone with a manager's `X-Approval` for `VOID_ITEM`
    /// (without one: `403 APPROVAL_REQUIRED`). Not on voided or settled orders (`409 ORDER_VOIDED`,
    /// `ORDER_SETTLED`: refund first) and never below what is paid (`409 BELOW_PAID`).
    /// Totals are recomputed; the order's `version` moves on.
    #[oai(
        path = "/orders/:id/items/:item_id/void",
        method = "post",
        operation_id = "void_order_item"
    )]
    async fn void_item(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        item_id: Path<Uuid>,
        body: Json<ItemVoidRequest>,
        #[oai(name = "X-Approval")] approval: Header<Option<String>>,
    ) -> AppResult<Json<OrderView>> {
        let body = body.0;
        let input = corrections::ItemVoid {
            quantity: body.quantity,
            reason: body.reason.into(),
            comp: body.comp,
        };
        Ok(Json(
            corrections::void_item(
                &state.db,
                auth.0.staff()?,
                id.0,
                item_id.0,
                input,
                approval.0.as_deref(),
            )
            .await?
            .into(),
        ))
    }

    /// Give a discount on one line (`item_id`) or the whole order: PERCENT (`value` in basis
    /// points, 1000 = 10 %) or AMOUNT, with a reason. Line discounts come first, then the
    /// order's; within each PERCENT before AMOUNT; never more than there is. A KASIR may give
    /// up to the outlet's `max_cashier_discount_bp` of what it applies to; more needs a
    /// manager's `X-Approval` for `DISCOUNT` (`403 APPROVAL_REQUIRED`). Not on voided or settled orders; never below what is paid.
    #[oai(
        path = "/orders/:id/discounts",
        method = "post",
        operation_id = "add_order_discount"
    )]
    async fn add_discount(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewDiscountRequest>,
        #[oai(name = "X-Approval")] approval: Header<Option<String>>,
    ) -> AppResult<AddDiscountResponse> {
        let b = body.0;
        let input = corrections::NewDiscount {
            item_id: b.item_id,
            kind: b.kind,
            value: b.value,
            reason: b.reason.into(),
        };
        let actor = auth.0.staff()?;
        let approval = approval.0.as_deref();
        let order = corrections::add_discount(&state.db, actor, id.0, input, approval).await?;
        Ok(AddDiscountResponse::Created(Json(order.into())))
    }

    /// Take a discount off again; the totals are recomputed. Someone else's discount needs
    /// MANAGER/OWNER or a manager's `X-Approval` for `DISCOUNT`.
    #[oai(
        path = "/orders/:id/discounts/:discount_id",
        method = "delete",
        operation_id = "remove_order_discount"
    )]
    async fn remove_discount(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        discount_id: Path<Uuid>,
        #[oai(name = "X-Approval")] approval: Header<Option<String>>,
    ) -> AppResult<Json<OrderView>> {
        let actor = auth.0.staff()?;
        let approval = approval.0.as_deref();
        Ok(Json(
            corrections::remove_discount(&state.db, actor, id.0, discount_id.0, approval)
                .await?
                .into(),
        ))
    }

    /// Split the chosen quantities into a new order of the same table (same kitchen status, a
    /// new number); answers the new order. Each bill is computed on its own: together they
    /// come to the original total but for each bill's rounding of service and tax. Only for
    /// orders without payments (`409 ORDER_HAS_PAYMENTS`; pay in parts instead).
    #[oai(
        path = "/orders/:id/split",
        method = "post",
        operation_id = "split_order"
    )]
    async fn split(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<SplitRequest>,
    ) -> AppResult<SplitResponse> {
        let lines = body
            .0
            .items
            .into_iter()
            .map(|l| corrections::SplitLine {
                item_id: l.item_id,
                quantity: l.quantity,
            })
            .collect();
        let order = corrections::split(&state.db, auth.0.staff()?, id.0, lines).await?;
        Ok(SplitResponse::Created(Json(order.into())))
    }

    /// Move the order to another open table session of its outlet.
    #[oai(
        path = "/orders/:id/move",
        method = "post",
        operation_id = "move_order"
    )]
    async fn move_order(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<MoveOrderRequest>,
    ) -> AppResult<Json<OrderView>> {
        let b = body.0;
        Ok(Json(
            corrections::move_order(
                &state.db,
                auth.0.staff()?,
                id.0,
                b.table_session_id,
                b.reason.map(String::from),
            )
            .await?
            .into(),
        ))
    }
}

#[derive(Object)]
pub struct NewDiscountRequest {
    /// The line; leave out for the whole order.
    #[oai(nullable)]
    pub item_id: Option<Uuid>,
    pub kind: DiscountKind,
    /// PERCENT: 1–10000 basis points. AMOUNT: 1 or more, in the smallest currency unit.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000000000")))]
    pub value: i64,
    /// Why (regular guest, complaint, staff meal…).
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: Text,
}

#[derive(ApiResponse)]
pub enum AddDiscountResponse {
    /// The order with the discount.
    #[oai(status = 201)]
    Created(Json<OrderView>),
}

#[derive(Object)]
pub struct SplitLineRequest {
    pub item_id: Uuid,
    /// 1 up to what is still charged of the line.
    #[oai(validator(minimum(value = "1"), maximum(value = "999")))]
    pub quantity: i32,
}

#[derive(Object)]
pub struct SplitRequest {
    #[oai(validator(min_items = 1, max_items = 100))]
    pub items: Vec<SplitLineRequest>,
}

#[derive(ApiResponse)]
pub enum SplitResponse {
    /// The new order, holding the chosen quantities.
    #[oai(status = 201)]
    Created(Json<OrderView>),
}

#[derive(Object)]
pub struct MoveOrderRequest {
    /// An open table session of the same outlet.
    pub table_session_id: Uuid,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub reason: Option<Text>,
}

#[derive(Object)]
pub struct ItemVoidRequest {
    /// How many of the line: 1 up to what is left of it.
    #[oai(validator(minimum(value = "1"), maximum(value = "999")))]
    pub quantity: i32,
    /// Why (sent back, wrong dish, on the house…).
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: Text,
    /// Comp instead of void: made and given away, kept on the ticket at no charge.
    #[oai(default)]
    pub comp: bool,
}
