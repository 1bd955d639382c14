//! `POST /auth/register`, `POST /auth/login`, `GET /auth/me`.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use poem::{web::Data, Request};
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi, SecurityScheme};
use uuid::Uuid;

use super::{text::Text, users::UserView, ApiTags};
use crate::{
    auth::{Auth, Role},
    error::{AppError, AppResult},
    service::users::{self, NewUser, Registrar},
    state::AppState,
};

pub struct AuthApi;

/// A new staff account.
#[derive(Object)]
pub struct RegisterRequest {
    /// 3–32 characters of a-z, 0-9, `.`, `_`, `-` (stored lower-case).
    #[oai(validator(min_length = 3, max_length = 64))]
    pub username: Text,
    /// 8–128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: Text,
    /// Required with a token. The very first account is always OWNER.
    #[oai(nullable)]
    pub role: Option<Role>,
    /// The outlet the account works at. May be left out when exactly one outlet exists;
    /// a MANAGER's accounts always belong to the manager's outlet.
    #[oai(nullable)]
    pub outlet_id: Option<Uuid>,
}

#[derive(Object)]
pub struct LoginRequest {
    #[oai(validator(max_length = 64))]
    pub username: Text,
    #[oai(validator(max_length = 128))]
    pub password: Text,
}

#[derive(Object)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// The account was created.
    #[oai(status = 201)]
    Created(Json<UserView>),
}

/// Register works with or without a token (without: only for the very first account).
#[derive(SecurityScheme)]
pub enum OptionalAuth {
    Staff(Auth),
    #[oai(fallback)]
    Anonymous,
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create a staff account. Without a token this works only while no account exists, and
    /// that first account becomes the OWNER. Afterwards an OWNER or MANAGER token is needed;
    /// a MANAGER creates only KASIR, WAITER and KITCHEN accounts in its own outlet.
    #[oai(path = "/auth/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: OptionalAuth,
        body: Json<RegisterRequest>,
    ) -> AppResult<RegisterResponse> {
        let principal = match auth {
            OptionalAuth::Staff(auth) => Some(auth.0),
            OptionalAuth::Anonymous if req.headers().contains_key("authorization") => {
                return Err(AppError::Unauthorized(
                    "the token is invalid or expired; sign in again".into(),
                ))
            }
            OptionalAuth::Anonymous => None,
        };
        let registrar = match &principal {
            Some(principal) => Registrar::Staff(principal.staff()?),
            None => Registrar::Anonymous,
        };
        let body = body.0;
        let input = NewUser {
            username: body.username.into(),
            password: body.password.into(),
            role: body.role,
            outlet_id: body.outlet_id,
        };
        let user = users::register(&state.db, &state.passwords, registrar, input).await?;
        Ok(RegisterResponse::Created(Json(user.into())))
    }

    /// Sign in with username and password; returns a bearer token.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> AppResult<Json<LoginResponse>> {
        let address = client_of(req, &state);
        let body = body.0;
        let user = users::login(
            &state.db,
            &state.passwords,
            &state.login_limits,
            &body.username,
            body.password.into(),
            &address,
        )
        .await?;
        let issued = state
            .keys
            .issue(user.id, user.role, user.outlet_id, user.token_version, None)
            .map_err(AppError::internal)?;
        Ok(Json(LoginResponse {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl.as_secs(),
            expires_at: issued.expires_at,
            user: user.into(),
        }))
    }

    /// The signed-in account.
    #[oai(path = "/auth/me", method = "get", operation_id = "me")]
    async fn me(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<UserView>> {
        let actor = auth.0.staff()?;
        Ok(Json(
            users::get_user(&state.db, actor, actor.user_id)
                .await?
                .into(),
        ))
    }
}

/// The client's address as text (empty when unknown), for throttles and the audit log.
pub(super) fn client_of(req: &Request, state: &AppState) -> String {
    let forwarded_for: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    client_address(
        req.remote_addr().as_socket_addr().map(|addr| addr.ip()),
        &forwarded_for.join(","),
        &state.config.trusted_proxies,
    )
    .map(|ip| ip.to_string())
    .unwrap_or_default()
}

/// The client behind a request: the TCP peer, unless that is a trusted proxy — then the
/// nearest `X-Forwarded-For` entry that is not one (entries further left are the client's own
/// claim and could be forged).
fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: &str,
    trusted_proxies: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded_for
        .rsplit(',')
        .map(|hop| hop.trim().parse::<IpAddr>())
    {
        match hop {
            Ok(ip) if trusted_proxies.contains(&ip) => client = ip,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let lb: IpAddr = "10.0.0.2".parse().unwrap();
        let phone: IpAddr = "192.168.1.23".parse().unwrap();
        let trusted = [lb];
        // Directly connected: the header is the client's claim and is ignored.
        assert_eq!(
            client_address(Some(phone), "1.2.3.4", &trusted),
            Some(phone)
        );
        // Behind the load balancer: its entry names the client; forged ones further left don't count.
        assert_eq!(
            client_address(Some(lb), "1.2.3.4, 192.168.1.23", &trusted),
            Some(phone)
        );
        // A trusted proxy without a usable header is itself the client.
        assert_eq!(client_address(Some(lb), "", &trusted), Some(lb));
        assert_eq!(client_address(Some(lb), "garbage", &trusted), Some(lb));
    }
}
