//! Shared tablets: `POST/GET /outlets/{id}/devices`, `DELETE /devices/{id}`,
//! `POST /devices/{id}/unlock`, `PUT /users/{id}/pin`, `POST /auth/device` (the lock screen)
//! and `POST /auth/pin`.

use chrono::{DateTime, Utc};
use poem::{web::Data, Request};
use poem_openapi::{param::Path, payload::Json, ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::{auth::LoginResponse, forgets_staff, text::Text, ApiTags};
use crate::{
    auth::Auth,
    entity::device,
    error::{AppError, AppResult},
    service::devices,
    state::AppState,
};

pub struct DevicesApi;

/// A tablet enrolled at an outlet for PIN sign-in.
#[derive(Object)]
pub struct DeviceView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub name: String,
    /// Locked after too many wrong PINs in a row, until a manager unlocks it.
    pub locked: bool,
    pub revoked: bool,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl From<device::Model> for DeviceView {
    fn from(d: device::Model) -> Self {
        DeviceView {
            id: d.id,
            outlet_id: d.outlet_id,
            name: d.name,
            locked: d.locked_at.is_some(),
            revoked: d.revoked_at.is_some(),
            created_at: d.created_at,
            last_seen_at: d.last_seen_at,
        }
    }
}

#[derive(Object)]
pub struct EnrolledDevice {
    pub device: DeviceView,
    /// Shown this once: the tablet keeps it and sends it with every PIN sign-in.
    pub device_secret: String,
}

#[derive(Object)]
pub struct NewDeviceRequest {
    /// E.g. `Kasir depan`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
}

#[derive(Object)]
pub struct PinRequest {
    /// 4–8 digits.
    #[oai(validator(min_length = 4, max_length = 8))]
    pub pin: String,
}

#[derive(Object)]
pub struct PinLoginRequest {
    #[oai(validator(max_length = 200))]
    pub device_secret: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub username: Text,
    #[oai(validator(min_length = 4, max_length = 8))]
    pub pin: String,
}

#[derive(Object)]
pub struct DeviceSecretRequest {
    #[oai(validator(max_length = 200))]
    pub device_secret: String,
}

/// Someone who can sign in on this tablet by PIN.
#[derive(Object)]
pub struct LockScreenPerson {
    pub username: String,
    pub role: crate::auth::Role,
}

/// What an enrolled tablet's lock screen shows.
#[derive(Object)]
pub struct LockScreenView {
    pub device: DeviceView,
    pub outlet_name: String,
    /// Idle minutes before the tablet locks itself; 0: never.
    pub auto_lock_minutes: i32,
    /// The outlet's active staff with a PIN (and OWNERs with one), by username.
    pub staff: Vec<LockScreenPerson>,
}

#[derive(ApiResponse)]
pub enum EnrolResponse {
    #[oai(status = 201)]
    Created(Json<EnrolledDevice>),
}

#[derive(ApiResponse)]
pub enum DoneResponse {
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "ApiTags::Devices")]
impl DevicesApi {
    /// Enrol a tablet at an outlet. The answer holds its secret, shown this once.
    #[oai(
        path = "/outlets/:id/devices",
        method = "post",
        operation_id = "enrol_device"
    )]
    async fn enrol(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewDeviceRequest>,
    ) -> AppResult<EnrolResponse> {
        let actor = auth.0.staff()?;
        let name: String = body.0.name.into();
        let enrolled = devices::enrol(&state.db, actor, id.0, &name).await?;
        Ok(EnrolResponse::Created(Json(EnrolledDevice {
            device: enrolled.device.into(),
            device_secret: enrolled.secret,
        })))
    }

    /// An outlet's tablets, oldest first (revoked ones too).
    #[oai(
        path = "/outlets/:id/devices",
        method = "get",
        operation_id = "list_devices"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<DeviceView>>> {
        let found = devices::list(&state.db, auth.0.staff()?, id.0).await?;
        Ok(Json(found.into_iter().map(Into::into).collect()))
    }

    /// Revoke a tablet: its secret and every token signed in on it stop working at once.
    #[oai(
        path = "/devices/:id",
        method = "delete",
        operation_id = "revoke_device",
        transform = "forgets_staff"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<DoneResponse> {
        devices::revoke(&state.db, auth.0.staff()?, id.0).await?;
        Ok(DoneResponse::Done)
    }

    /// Unlock a tablet locked by wrong PINs (and everyone's lock-out on it).
    #[oai(
        path = "/devices/:id/unlock",
        method = "post",
        operation_id = "unlock_device"
    )]
    async fn unlock(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<DeviceView>> {
        let device = devices::unlock(&state.db, auth.0.staff()?, id.0).await?;
        Ok(Json(device.into()))
    }

    /// Set a PIN: one's own, or that of someone whose account one may manage.
    #[oai(path = "/users/:id/pin", method = "put", operation_id = "set_pin")]
    async fn set_pin(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PinRequest>,
    ) -> AppResult<DoneResponse> {
        let actor = auth.0.staff()?;
        devices::set_pin(&state.db, &state.passwords, actor, id.0, body.0.pin).await?;
        Ok(DoneResponse::Done)
    }

    /// The lock screen of an enrolled tablet: its outlet and who may sign in on it by PIN.
    /// `401` for a secret that is not (or no longer) enrolled; `409 DEVICE_LOCKED`.
    #[oai(
        path = "/auth/device",
        method = "post",
        operation_id = "device_lock_screen"
    )]
    async fn lock_screen(
        &self,
        state: Data<&AppState>,
        body: Json<DeviceSecretRequest>,
    ) -> AppResult<Json<LockScreenView>> {
        let screen = devices::lock_screen(&state.db, &body.0.device_secret).await?;
        Ok(Json(LockScreenView {
            device: screen.device.into(),
            outlet_name: screen.outlet.name,
            auto_lock_minutes: screen.outlet.auto_lock_minutes,
            staff: screen
                .staff
                .into_iter()
                .map(|u| LockScreenPerson {
                    username: u.username,
                    role: u.role,
                })
                .collect(),
        }))
    }

    /// Sign in with a PIN on an enrolled tablet: a token bound to that device. 5 wrong PINs
    /// lock the person out on it for 15 minutes (429); 20 in a row lock the device (409
    /// DEVICE_LOCKED) until a manager unlocks it.
    #[oai(path = "/auth/pin", method = "post", operation_id = "pin_login")]
    async fn pin_login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<PinLoginRequest>,
    ) -> AppResult<Json<LoginResponse>> {
        let address = super::auth::client_of(req, &state);
        let body = body.0;
        let username: String = body.username.into();
        let (user, device) = devices::pin_sign_in(
            &state.db,
            &state.passwords,
            &body.device_secret,
            &username,
            body.pin,
            &address,
        )
        .await?;
        let issued = state
            .keys
            .issue(
                user.id,
                user.role,
                user.outlet_id,
                user.token_version,
                Some(device.id),
            )
            .map_err(AppError::internal)?;
        Ok(Json(LoginResponse {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl.as_secs(),
            expires_at: issued.expires_at,
            user: user.into(),
        }))
    }
}
