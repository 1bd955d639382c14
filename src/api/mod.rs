//! HTTP layer: poem-openapi `Api` structs, one file per capability. Handlers are thin: parse,
//! authorize, call one service function, map the result to a view.

pub mod access;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod csv;
pub mod devices;
pub mod guest_requests;
pub mod menu;
pub mod orders;
pub mod outlets;
pub mod payments;
pub mod printing;
pub mod product_images;
pub mod realtime;
pub mod reports;
pub mod sessions;
pub mod shifts;
pub mod system;
pub mod tables;
pub mod text;
pub mod users;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt};
use poem_openapi::{OpenApi, OpenApiService, Tags};

use crate::{memory::Forget, realtime::Realtime, state::AppState};

/// Groups in Swagger UI.
#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness.
    System,
    /// Sign-in and the first-run owner account.
    Auth,
    /// Staff accounts.
    Users,
    /// Restaurant locations and their tax and service settings.
    Outlets,
    /// Dining tables and their printable QR codes.
    Tables,
    /// Categories, products, modifier groups and the menu.
    Menu,
    /// A sitting at a table: opened by staff or by a guest's QR scan, closed when paid.
    TableSessions,
    /// Orders and their status moves.
    Orders,
    /// Live events (WebSocket) and their catch-up feed.
    Realtime,
    /// Cashier shifts: float, pay-ins/outs, closing count, Z-report.
    Shifts,
    /// Taking payments and refunds.
    Payments,
    /// Sales reports.
    Reports,
    /// Printers, the print queue, bills and receipts on paper, the digital receipt.
    Printing,
    /// Who did what: the append-only audit log.
    Audit,
    /// Shared tablets: enrolled devices, staff PINs, PIN sign-in, manager approvals.
    Devices,
}

/// For operations that can change an account or a tablet (`transform = "forgets_staff"`):
/// the token checks remembered (`memory`) are forgotten as the request ends.
pub fn forgets_staff<E: Endpoint + 'static>(ep: E) -> impl Endpoint<Output = E::Output> {
    forgets(ep, Forget::Staff)
}

/// For operations that can change what an order reads of the menu, its printers or its
/// outlet (`transform = "forgets_menu"`): the menus remembered are forgotten as the request
/// ends.
pub fn forgets_menu<E: Endpoint + 'static>(ep: E) -> impl Endpoint<Output = E::Output> {
    forgets(ep, Forget::Menu)
}

/// Forgets when the request ends, whatever its answer, and also when it is cancelled (a
/// client gone or a timeout while the change waits for its commit): the change may still
/// commit then, and what is read until it does expires with the memory's lifetime.
fn forgets<E: Endpoint + 'static>(ep: E, what: Forget) -> impl Endpoint<Output = E::Output> {
    struct Forgetting(Arc<Realtime>, Forget);
    impl Drop for Forgetting {
        fn drop(&mut self) {
            self.0.forget(self.1);
        }
    }
    ep.around(move |ep, req| async move {
        let _forgetting = req
            .data::<AppState>()
            .map(|state| Forgetting(state.realtime.clone(), what));
        ep.call(req).await
    })
}

/// Where the API is mounted; the spec's `servers` entry, so Swagger UI's "Try it out" works.
pub const BASE_PATH: &str = "/api/v1";

/// The OpenAPI service. Needs no database, so `kedai openapi` can print the spec anywhere.
pub fn service() -> OpenApiService<impl OpenApi, ()> {
    OpenApiService::new(
        (
            system::SystemApi,
            auth::AuthApi,
            users::UsersApi,
            outlets::OutletsApi,
            tables::TablesApi,
            (menu::MenuApi, product_images::ProductImagesApi),
            sessions::SessionsApi,
            orders::OrdersApi,
            realtime::RealtimeApi,
            shifts::ShiftsApi,
            payments::PaymentsApi,
            reports::ReportsApi,
            printing::PrintingApi,
            audit::AuditApi,
            // poem-openapi implements `OpenApi` for tuples of up to 16: the tablet APIs nest.
            (devices::DevicesApi, approvals::ApprovalsApi),
            guest_requests::GuestRequestsApi,
        ),
        "Kedai",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Restaurant point-of-sale API. Money is an integer in the outlet currency's smallest unit. \
         Errors are RFC 9457 problem+json with a stable `code`.",
    )
    .server(BASE_PATH)
}

/// The spec as served at `/api/v1/openapi.json`, with each operation's roles (`access`).
pub fn spec_json() -> String {
    access::annotate(&service().spec())
}

/// Swagger UI's page around `spec` (the annotated one), set to show the `x-kedai-roles`
/// extension. poem-openapi writes the page with its own copy of the spec as `let spec = …;`,
/// which is swapped here.
pub fn swagger_ui_html(spec: &str) -> String {
    const START: &str = "let spec = ";
    const END: &str = "let oauth2RedirectUrl";
    let html = service().swagger_ui_html();
    let (Some(start), Some(end)) = (html.find(START), html.find(END)) else {
        return html;
    };
    let (Some(head), Some(tail)) = (html.get(..start + START.len()), html.get(end..)) else {
        return html;
    };
    format!("{head}{spec};\n    {tail}").replacen(
        "deepLinking: true,",
        "deepLinking: true,\n        showExtensions: true,",
        1,
    )
}
