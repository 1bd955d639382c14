//! Guests calling from their table: `POST /table-sessions/{id}/requests` (the guest's token),
//! `GET /guest-requests` and `POST /guest-requests/{id}/ack` (floor staff).

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::ApiTags;
use crate::{
    auth::Auth,
    domain::GuestRequestKind,
    error::AppResult,
    realtime::frames::GuestRequestView,
    service::guest_requests::{self, Call},
    state::AppState,
};

pub struct GuestRequestsApi;

#[derive(Object)]
pub struct NewGuestRequest {
    /// `CALL_WAITER` or `BILL`.
    pub kind: GuestRequestKind,
}

#[derive(ApiResponse)]
pub enum CallResponse {
    #[oai(status = 201)]
    Created(Json<GuestRequestView>),
}

fn view(call: Call, by: Option<&str>) -> GuestRequestView {
    GuestRequestView::of(&call.request, &call.table_name, by)
}

#[OpenApi(tag = "ApiTags::TableSessions")]
impl GuestRequestsApi {
    /// A guest calls the waiter or asks for the bill: `GUEST_REQUEST` rings on the cashier
    /// page until someone answers. The same call from the same table again within 30 seconds
    /// is `429` (with `Retry-After`).
    #[oai(
        path = "/table-sessions/:id/requests",
        method = "post",
        operation_id = "call_staff"
    )]
    async fn call(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewGuestRequest>,
    ) -> AppResult<CallResponse> {
        let call = guest_requests::call(&state.db, &auth.0, id.0, body.0.kind).await?;
        Ok(CallResponse::Created(Json(view(call, None))))
    }

    /// Guests' calls nobody has answered yet, oldest first (an OWNER: every outlet's, or
    /// `outlet_id`'s).
    #[oai(
        path = "/guest-requests",
        method = "get",
        operation_id = "list_guest_requests"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Option<Uuid>>,
    ) -> AppResult<Json<Vec<GuestRequestView>>> {
        let calls = guest_requests::open_calls(&state.db, auth.0.staff()?, outlet_id.0).await?;
        Ok(Json(calls.into_iter().map(|c| view(c, None)).collect()))
    }

    /// Take a guest's call on: `GUEST_REQUEST_ACKNOWLEDGED` stops the ringing everywhere.
    /// Answering an answered call again changes nothing.
    #[oai(
        path = "/guest-requests/:id/ack",
        method = "post",
        operation_id = "answer_guest_request"
    )]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<GuestRequestView>> {
        let actor = auth.0.staff()?;
        let call = guest_requests::answer(&state.db, actor, id.0).await?;
        Ok(Json(view(call, Some(&actor.username))))
    }
}
