//! `POST /approvals`: a manager's PIN, typed on the tablet where someone asks for an action
//! above their role, turned into a single-use `X-Approval` token.

use chrono::{DateTime, Utc};
use poem::{web::Data, Request};
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::{text::Text, ApiTags};
use crate::{
    auth::Auth,
    error::{AppError, AppResult},
    service::approvals::{self, ApprovalAction, ApprovalRequest},
    state::AppState,
};

pub struct ApprovalsApi;

#[derive(Object)]
pub struct NewApprovalRequest {
    /// `VOID_ITEM`, `DISCOUNT`, `REFUND` or `OPEN_DRAWER`.
    #[oai(validator(max_length = 20))]
    pub action: String,
    /// The order it is for; required for all but `OPEN_DRAWER`.
    #[oai(nullable)]
    pub order_id: Option<Uuid>,
    /// The approving MANAGER or OWNER.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub username: Text,
    #[oai(validator(min_length = 4, max_length = 8))]
    pub pin: String,
}

#[derive(Object)]
pub struct ApprovalView {
    /// Send as `X-Approval` with the one request it allows.
    pub approval_token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum ApprovalResponse {
    #[oai(status = 201)]
    Created(Json<ApprovalView>),
}

#[OpenApi(tag = "ApiTags::Devices")]
impl ApprovalsApi {
    /// A manager approves, by PIN on this tablet, one action of the signed-in person that
    /// their role does not allow: a void once the kitchen has the order, a discount over the
    /// cap, a refund, opening the drawer without a sale. The token works once, for that action
    /// and order, for that person on this tablet, for two minutes. Only on a PIN sign-in
    /// (`403` otherwise); wrong PINs count like PIN sign-ins (`401`, then `429`).
    #[oai(path = "/approvals", method = "post", operation_id = "create_approval")]
    async fn create(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: Auth,
        body: Json<NewApprovalRequest>,
    ) -> AppResult<ApprovalResponse> {
        let caller = auth.0.staff()?;
        let b = body.0;
        let action = ApprovalAction::parse(&b.action).ok_or_else(|| {
            AppError::validation(
                "action",
                "action is VOID_ITEM, DISCOUNT, REFUND or OPEN_DRAWER",
            )
        })?;
        let request = ApprovalRequest {
            action,
            order_id: b.order_id,
            username: b.username.into(),
            pin: b.pin,
        };
        let address = super::auth::client_of(req, &state);
        let granted =
            approvals::grant(&state.db, &state.passwords, caller, request, &address).await?;
        Ok(ApprovalResponse::Created(Json(ApprovalView {
            approval_token: granted.token,
            expires_at: granted.expires_at,
        })))
    }
}
